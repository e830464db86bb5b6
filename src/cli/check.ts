import type { Command } from "commander";
import { runChecks } from "../check/run.js";
import type { CheckResult } from "../check/result.js";
import { selectInstances } from "../run/select.js";
import { EXIT } from "../util/errors.js";
import { globalsOf } from "./globals.js";
import { openSession } from "./session.js";
import { withInterrupts } from "./signals.js";

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("is everything a backup needs in place? tools, servers, logins, privileges, storage, remotes, SMTP, Pushgateway; backs nothing up")
    .option("-i, --instance <id|name>", "only this instance (repeatable; default: every enabled one)", collect, [])
    .option("--json", "print the checks as JSON on stdout")
    .addHelpText(
      "after",
      `
One line per check: OK, WARN or FAIL, with the fix. Checks: the config file (world-readable with
inline secrets: WARN), each instance (dump tool found with a version that fits the server, server
reachable, login, the privileges a consistent dump needs, restore tools), local storage (writable,
free space against the newest backups' size), each remote (a probe object written, read back,
deleted), SMTP (connect, STARTTLS, AUTH; nothing sent) and the Pushgateway (/-/ready). Exit codes: 0 nothing failed (warnings allowed), 1 a check failed, 2 usage or config error.`,
    )
    .action(async (opts: { instance: string[] }, command: Command) => {
      const globals = globalsOf(command);
      const session = await openSession(globals);
      const config = session.loaded.config;
      const instances = selectInstances(config, opts.instance);
      const { result, signal } = await withInterrupts((sig) => runChecks(instances, { config, configFile: session.loaded.file, logger: session.logger, redactor: session.redactor, signal: sig }));
      const failed = result.filter((r) => r.status === "fail").length;
      const text = globals.json ? session.redactor.json({ ok: failed === 0, checks: result }) : session.redactor.redact(renderChecks(result));
      process.stdout.write(`${text}\n`);
      if (signal) process.exitCode = signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
      else process.exitCode = failed === 0 ? EXIT.ok : EXIT.failed;
    });
}

function renderChecks(results: readonly CheckResult[]): string {
  const lines = results.map((r) => `${r.status.toUpperCase().padEnd(4)}  ${r.check}: ${r.target}: ${r.detail}${r.fix ? ` — fix: ${r.fix}` : ""}`);
  const count = (status: CheckResult["status"]) => results.filter((r) => r.status === status).length;
  return [...lines, `${count("ok")} ok, ${count("warn")} warnings, ${count("fail")} failed`].join("\n");
}
