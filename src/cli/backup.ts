import type { Command } from "commander";
import { basename } from "node:path";
import { runBackup } from "../run/backup.js";
import { monitorFinish, monitorStart } from "../run/monitor.js";
import type { RunReport } from "../run/report.js";
import { selectInstances } from "../run/select.js";
import { EXIT, UsageError } from "../util/errors.js";
import { globalsOf } from "./globals.js";
import { openSession } from "./session.js";
import { formatBytes, formatDuration, renderTable } from "./table.js";
import { renderCleanupSummary } from "./cleanup-render.js";
import { withInterrupts } from "./signals.js";
import { createProgressBoard } from "./progress-board.js";
import { isInteractive } from "../util/terminal.js";
import { lockWaitMs, lockWaitOption, takeLock } from "./lock-wait.js";
import { runLockLabel, runLockName } from "../lock/names.js";

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerBackup(program: Command): void {
  program
    .command("backup")
    .description("back up the named instances (all enabled ones when none is named) into local storage, then copy to each remote")
    .option("-i, --instance <id|name>", "an instance to back up (repeatable)", collect, [])
    .option("--dry-run", "print what would be backed up, from where, to where; write nothing but a tiny probe on each remote")
    .option("--no-cleanup", "do not apply the retention policy after this run (options.cleanup_after_backup)")
    .option("--json", "print the run report as JSON on stdout")
    .addOption(lockWaitOption())
    .addHelpText(
      "after",
      `
Each database (or files instance) becomes one archive plus its JSON sidecar under
<storage.local.path>/<server>/<instance>/[<database>/], then is copied (archive, then sidecar,
each verified) to every storage.remotes entry; a remote that fails fails the unit and the local
copy stays. Afterwards the retention policy (if any) is applied to the groups backed up
(options.cleanup_after_backup; --no-cleanup skips it). Exit codes: 0 all succeeded,
1 something failed (the others still ran), 2 usage or config error, 3 another run of this
server holds the lock (it is named; --lock-wait waits), 130/143 interrupted.`,
    )
    .action(async (opts: { instance: string[]; dryRun?: boolean; cleanup: boolean; lockWait?: string }, command: Command) => {
      const globals = globalsOf(command);
      const waitMs = lockWaitMs(opts.lockWait);
      // A live line per running unit, only for a person at a terminal (not a pipe, not systemd).
      const board = isInteractive(process.stderr) && !opts.dryRun ? createProgressBoard(process.stderr) : undefined;
      const session = await openSession(globals, board?.logStream);
      const instances = selectInstances(session.loaded.config, opts.instance);
      // A scheduled job that backs up nothing is broken, not successful.
      if (instances.length === 0) {
        throw new UsageError(`nothing to back up: no enabled instance in ${session.loaded.file} (enable one, or name one with -i)`);
      }
      const dryRun = opts.dryRun === true;
      const config = session.loaded.config;
      // Taken before anything is announced: a refused run (exit 3) sends no start notification.
      // A dry run writes nothing but a probe: it does not wait for, nor block, a real run.
      const lock = dryRun ? undefined : (await withInterrupts((sig) => takeLock({ name: runLockName(config, session.loaded.file), what: runLockLabel(config, session.loaded.file), waitMs, logger: session.logger }, sig))).result;
      try {
        const monitor = { config, logger: session.logger, redactor: session.redactor, logCapture: session.logCapture };
        const start = dryRun ? undefined : await monitorStart(monitor);
        const { result: report, signal } = await withInterrupts((sig) => runBackup({ instances, dryRun, cleanup: opts.cleanup }, { config, logger: session.logger, redactor: session.redactor, signal: sig, progress: board }));
        const exitCode = signal ? (signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm) : report.ok ? EXIT.ok : EXIT.failed;
        // Notifications and metrics never change the exit code (each is bounded, failures are reported).
        if (start) Object.assign(report, await monitorFinish(report, exitCode, start, monitor));
        // JSON is scrubbed value by value, so a password such as "1234" cannot break it.
        const text = globals.json ? session.redactor.json(report) : session.redactor.redact(renderReport(report, config.storage.local.path));
        process.stdout.write(`${text}\n`);
        process.exitCode = exitCode;
      } finally {
        board?.stop();
        await lock?.release();
      }
    });
}

function renderReport(report: RunReport, localRoot: string): string {
  if (report.dry_run) {
    const rows = report.units.map((u) => [u.instance.name, u.database ?? "-", u.status === "failed" ? `FAILED: ${u.error}` : (u.source ?? "")]);
    const probes = (report.remotes ?? []).map((p) => [p.ok ? "ok" : "FAILED", p.remote, p.kind, p.ok ? p.location.replace(/\/[^/]*$/, "/") : (p.error ?? "")]);
    const remotes = probes.length > 0 ? `\nremotes (a tiny probe object was written and deleted):\n${renderTable(["status", "remote", "type", "location / error"], probes)}` : "";
    return `dry run: nothing was written; archives would go to ${localRoot}\n${renderTable(["instance", "database", "from"], rows)}${remotes}`;
  }
  const rows = report.units.map((u) => [
    u.status === "success" ? "ok" : "FAILED",
    u.instance.name,
    u.database ?? "-",
    formatBytes(u.size_bytes),
    formatDuration(u.duration_ms),
    // The name is what list, restore --file and verify --file take; the full path is in --json and the log.
    u.status === "success" ? `${basename(u.archive ?? "")}${copiedTo(u)}` : "(error below)",
  ]);
  // Errors go below the table, whole, one line each: greppable, and the table stays 100 columns wide.
  const errors = report.units.filter((u) => u.status === "failed").map((u) => `error: ${u.instance.name}${u.database ? `/${u.database}` : ""}: ${u.error ?? "failed"}\n`);
  const failed = report.units.filter((u) => u.status === "failed").length;
  const summary = report.interrupted
    ? "interrupted: unfinished archives were removed"
    : failed > 0
      ? `${failed} of ${report.units.length} failed`
      : `${report.units.length} backed up in ${formatDuration(report.duration_ms)}`;
  // Non-fatal findings (e.g. globals dumped without role passwords) must be seen, not only logged.
  const warnings = report.units.flatMap((u) => u.warnings.map((w) => `warning: ${u.instance.name}${u.database ? `/${u.database}` : ""}: ${w}\n`));
  const cleanup = report.cleanup ? `${renderCleanupSummary(report.cleanup)}\n` : "";
  const where = report.units.some((u) => u.status === "success" && !u.local_deleted) ? `archives in ${localRoot}\n` : "";
  return `${where}${renderTable(["status", "instance", "database", "size", "time", "archive / error"], rows)}\n${errors.join("")}${warnings.join("")}${sweptLine(report)}${cleanup}${deliveryLines(report)}${summary}`;
}

/** One line when leftovers of killed runs were removed (each is in the log and in --json). */
function sweptLine(report: RunReport): string {
  const swept = report.swept ?? [];
  if (swept.length === 0) return "";
  const bytes = swept.reduce((sum, item) => sum + item.bytes, 0);
  return `removed ${swept.length} leftover${swept.length === 1 ? "" : "s"} of earlier interrupted runs (${formatBytes(bytes)}): ${[...new Set(swept.map((s) => s.kind))].join(", ")}\n`;
}

/** " + offsite, nas" after an archive copied to remotes; says so when the local copy was removed. */
function copiedTo(u: RunReport["units"][number]): string {
  if (!u.remotes || u.remotes.length === 0) return "";
  return ` + ${u.remotes.map((r) => r.remote).join(", ")}${u.local_deleted ? " (local copy removed)" : ""}`;
}

/** One line per notification or metrics target that failed (the exit code does not show them). */
function deliveryLines(report: RunReport): string {
  const failed = [
    ...(report.notifications ?? []).filter((n) => n.status === "failed").map((n) => `notification ${n.channel} (${n.notice}) failed: ${n.error ?? ""}\n`),
    ...(report.metrics ?? []).filter((m) => m.status === "failed").map((m) => `metrics ${m.target} failed: ${m.error ?? ""}\n`),
  ];
  return failed.join("");
}
