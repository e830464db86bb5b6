import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { channelsOf } from "../notify/channels.js";
import { deliver } from "../notify/deliver.js";
import { EXIT, OperationError, UsageError } from "../util/errors.js";
import { TOOL_NAME, VERSION } from "../version.js";
import { globalsOf } from "./globals.js";
import { openSession } from "./session.js";
import { renderTable } from "./table.js";

export function registerNotify(program: Command): void {
  const notify = program.command("notify").description("notification channels (notifications: in the config)");
  notify
    .command("test")
    .description("send a test message on each channel (or the one named); exit 1 naming each channel that failed")
    .option("--channel <name>", 'only this channel: "email", "heartbeat", or a webhook\'s name (default "webhook-<n>")')
    .action(async (opts: { channel?: string }, command: Command) => {
      const globals = globalsOf(command);
      const session = await openSession(globals);
      const { config } = session.loaded;
      let channels = channelsOf(config.notifications, session.redactor);
      if (channels.length === 0) throw new UsageError(`no notification channel in ${session.loaded.file} (add notifications.email, .webhooks or .heartbeat)`);
      if (opts.channel !== undefined) {
        const wanted = opts.channel;
        const known = channels.map((c) => c.name);
        channels = channels.filter((c) => c.name === wanted);
        if (channels.length === 0) throw new UsageError(`--channel ${wanted}: no such channel (known: ${known.join(", ")})`);
      }
      const server = config.server.name;
      const now = new Date().toISOString();
      const outcomes = await deliver(
        channels,
        {
          type: "test",
          server,
          runUuid: randomUUID(),
          subject: `[${TOOL_NAME}] TEST ${server}: notifications work`,
          sections: [{ title: "Test message", lines: [`server: ${server}${config.server.location ? ` (${config.server.location})` : ""}`, `sent: ${now}`, `tool: ${TOOL_NAME} ${VERSION}`, "Sent by `vya-backupdb notify test`; nothing was backed up."] }],
        },
        { timeoutMs: (config.notifications?.timeout_seconds ?? 10) * 1000, retries: config.notifications?.retries ?? 1, logger: session.logger, redactor: session.redactor },
      );
      const byName = new Map(channels.map((c) => [c.name, c]));
      if (globals.json) process.stdout.write(`${session.redactor.json(outcomes)}\n`);
      else {
        const rows = outcomes.map((o) => [o.status === "sent" ? "ok" : "FAILED", o.channel, o.kind, byName.get(o.channel)?.target ?? "", o.error ?? ""]);
        process.stdout.write(`${session.redactor.redact(renderTable(["status", "channel", "type", "server", "error"], rows))}\n`);
      }
      const failed = outcomes.filter((o) => o.status === "failed");
      if (failed.length > 0) throw new OperationError(`notify test: ${failed.map((f) => `${f.channel} failed`).join(", ")}`);
      process.exitCode = EXIT.ok;
    });
}
