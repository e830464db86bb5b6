import type { Command } from "commander";
import { Option } from "commander";
import type { RestoreMode, RestoreReport } from "../restore/run.js";
import { runRestore } from "../restore/run.js";
import { describeError, EXIT, UsageError } from "../util/errors.js";
import { resolve } from "node:path";
import { openReadStorage } from "../catalog/storage.js";
import { pitrInstance } from "../pitr/instance.js";
import { restoreUntil } from "../pitr/restore-until.js";
import { parseUntil } from "../pitr/target-time.js";
import { loadAgeKeys } from "../crypto/keys.js";
import { globalsOf, type GlobalOptions } from "./globals.js";
import { openSession } from "./session.js";
import { withInterrupts } from "./signals.js";
import { formatBytes, formatDuration } from "./table.js";
import { lockWaitMs, lockWaitOption } from "./lock-wait.js";

interface RestoreFlags {
  file?: string;
  until?: string;
  recoveryAction?: "promote" | "pause" | "shutdown";
  target?: string;
  instance?: string;
  storage?: string;
  mode?: RestoreMode;
  force?: boolean;
  jobs?: string;
  tables?: string;
  globals?: boolean;
  globalsOverwrite?: boolean;
  lockWait?: string;
  identity?: string;
}

export function registerRestore(program: Command): void {
  program
    .command("restore")
    .description("restore an archive: a database into a server, a files archive into a directory")
    .option("-f, --file <archive>", "an archive path, or a name as `list` prints it")
    .option("--until <time>", "PITR instance (-i): recover to this time (ISO-8601 with Z or an offset, or local) into an empty --target directory")
    .addOption(new Option("--recovery-action <action>", "with --until: what the server does at the target (default promote)").choices(["promote", "pause", "shutdown"]))
    .option("-t, --target <db|dir>", "database name (default: the original) or directory (default: the original locations)")
    .option("-i, --instance <id|name>", "restore into this instance's server (default: the one the backup came from)")
    .option("--storage <name>", "the storage to read the archive from (default: local)")
    .addOption(new Option("--mode <mode>", "safe: back up the target first; fast: no safety backup; test: restore into <db>_restoretest_<time>").choices(["safe", "fast", "test"]))
    .option("--force", "replace a non-empty target database / overwrite existing files")
    .option("--jobs <n>", "parallel pg_restore jobs (custom-format dumps)")
    .option("--tables <list>", "comma-separated tables to restore (custom-format dumps)")
    .option("--globals", "restore a PostgreSQL globals archive (roles, tablespaces), or the globals of the same run first")
    .option("--globals-overwrite", "with --globals: roles that exist already take the archive's attributes, passwords and settings (never the role the restore connects as)")
    .option("--identity <file>", "age identity file (AGE-SECRET-KEY-1…) for an encrypted archive; or encryption.identity in the config")
    .option("--json", "print the restore report as JSON on stdout")
    .addOption(lockWaitOption())
    .addHelpText(
      "after",
      `
Before anything is touched the archive's size and sha256 are checked against its sidecar.
Files: entries that would land outside the target (.., absolute paths, through a symlink) are
refused; existing files are not overwritten without --force. Exit codes: 0 restored, 1 refused
or failed (nothing half-restored is left), 2 usage or config error, 3 another restore into the
same target holds its lock (--lock-wait waits), 130/143 interrupted.`,
    )
    .action(async (flags: RestoreFlags, command: Command) => {
      const globals = globalsOf(command);
      if (flags.until !== undefined || flags.recoveryAction !== undefined) {
        await runRestoreUntil(flags, globals, command);
        return;
      }
      if (flags.file === undefined) throw new UsageError("restore: --file ARCHIVE is required (or -i ID --until TIME --target DIR for point-in-time recovery)");
      const file = flags.file;
      const session = await openSession(globals);
      const jobs = flags.jobs === undefined ? undefined : Number(flags.jobs);
      if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)) throw new UsageError(`--jobs ${flags.jobs}: expected a whole number from 1 to 64`);
      const waitMs = lockWaitMs(flags.lockWait);
      const tables = flags.tables?.split(",").map((t) => t.trim()).filter(Boolean);
      const started = Date.now();
      // Metrics of the restore, whatever its end (success, failure, interrupt); never its exit code.
      const publish = async (ok: boolean) => {
        if (!session.loaded.config.metrics) return;
        const { publishRestoreMetrics } = await import("../metrics/command.js");
        await publishRestoreMetrics({ ok, durationMs: Date.now() - started, completedAt: new Date() }, { config: session.loaded.config, logger: session.logger, redactor: session.redactor });
      };
      const { result, signal } = await withInterrupts(async (sig) => {
        try {
          const options = {
            file,
            target: flags.target,
            instance: flags.instance,
            storage: flags.storage,
            mode: flags.mode,
            force: flags.force === true,
            jobs,
            tables,
            globals: flags.globals === true,
            globalsOverwrite: flags.globalsOverwrite === true,
            lockWaitMs: waitMs,
            identity: flags.identity,
          };
          return { report: await runRestore(options, { config: session.loaded.config, configFile: session.loaded.file, logger: session.logger, redactor: session.redactor, signal: sig }) };
        } catch (err) {
          await publish(false);
          // Stopped by a signal: the restore undid what it had started; say so and exit 130/143.
          if (sig.aborted) return { interrupted: err };
          throw err;
        }
      });
      if ("interrupted" in result) {
        process.stderr.write(`vya-backupdb: interrupted by ${signal ?? "a signal"}: ${session.redactor.redact(describeError(result.interrupted))}\n`);
        process.exitCode = signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
        return;
      }
      const report = result.report;
      await publish(report.ok && !signal);
      const text = globals.json ? session.redactor.json(report) : session.redactor.redact(renderReport(report));
      process.stdout.write(`${text}\n`);
      if (signal) process.exitCode = signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
      else process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
    });
}

function renderReport(report: RestoreReport): string {
  const lines: string[] = [];
  const took = formatDuration(report.duration_ms);
  if (report.files) {
    const f = report.files;
    lines.push(`restored ${report.archive.name} into ${f.root}: ${f.files} files (${formatBytes(f.bytes)}), ${f.directories} directories, ${f.symlinks} symlinks${f.hardlinks ? `, ${f.hardlinks} hard links` : ""}${f.replaced ? `; ${f.replaced} existing files overwritten` : ""} in ${took}`);
  }
  if (report.database) {
    const d = report.database;
    if (d.globals_restored) lines.push(`globals restored from ${d.globals_restored}`);
    if (d.roles) {
      const names = (list: string[]) => (list.length > 0 ? list.map((n) => JSON.stringify(n)).join(", ") : "none");
      lines.push(`roles created: ${names(d.roles.created)}; changed: ${names(d.roles.changed)}`);
      if (d.roles.skipped.length > 0) lines.push(`roles skipped (exist here): ${names(d.roles.skipped)}`);
    }
    if (d.safety_backup) lines.push(`safety backup of the previous "${report.target}": ${d.safety_backup}`);
    lines.push(`restored ${report.archive.name} into database "${report.target}" on ${d.server}${d.created ? " (created)" : d.replaced ? " (replaced)" : ""}${d.tables === null ? "" : `, ${d.tables} tables`} in ${took}`);
    if (d.tables_restored) lines.push(`tables restored: ${d.tables_restored.join(", ")}`);
    if (report.mode === "test") lines.push(`test restore: inspect "${report.target}", then drop it when done`);
    if (d.rollback) lines.push(`to roll back: ${d.rollback}`);
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  return lines.join("\n");
}

/** restore -i ID --until TIME --target DIR: point-in-time recovery of a PITR instance (pitr/restore-until.ts). */
async function runRestoreUntil(flags: RestoreFlags, globals: GlobalOptions, _command: Command): Promise<void> {
  if (flags.until === undefined) throw new UsageError("--recovery-action goes with --until");
  if (flags.file !== undefined) throw new UsageError("--until recovers an instance from its base backups and WAL: give -i ID, not --file");
  if (flags.target === undefined) throw new UsageError("--until needs --target EMPTY_DIR: the new data directory");
  for (const [set, name] of [[flags.mode, "--mode"], [flags.tables, "--tables"], [flags.jobs, "--jobs"], [flags.globals, "--globals"], [flags.force, "--force"]] as const) {
    if (set !== undefined) throw new UsageError(`${name} does not apply to --until`);
  }
  const until = parseUntil(flags.until);
  const session = await openSession(globals);
  const config = session.loaded.config;
  const instance = pitrInstance(config, flags.instance, "restore --until");
  const storage = await openReadStorage(config, flags.storage, { redactor: session.redactor, logger: session.logger });
  const { result, signal } = await withInterrupts(async (sig) => {
    try {
      const ctx = { config, configFile: session.loaded.file, logger: session.logger, redactor: session.redactor, signal: sig };
      const keys = await loadAgeKeys(config, flags.identity);
      const request = { instance, until, target: flags.target ?? "", self: selfCommand(), configFile: resolve(session.loaded.file), action: flags.recoveryAction ?? "promote", keys, identityFile: flags.identity === undefined ? undefined : resolve(flags.identity) } as const;
      return { report: await restoreUntil(request, storage, ctx) };
    } catch (err) {
      if (sig.aborted) return { interrupted: err };
      throw err;
    } finally {
      await storage.close();
    }
  });
  if ("interrupted" in result) {
    process.stderr.write(`vya-backupdb: interrupted by ${signal ?? "a signal"}: ${session.redactor.redact(describeError(result.interrupted))}\n`);
    process.exitCode = signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
    return;
  }
  const r = result.report;
  const text = globals.json
    ? session.redactor.json(r)
    : [
        `base backup ${r.base_backup.name} (ended ${r.base_backup.stop_time}, timeline ${r.base_backup.timeline}) extracted into ${r.target}: ${r.files} entries`,
        `recovery settings appended to ${r.target}/postgresql.auto.conf: recovery_target_time = '${r.recovery_target_time}', WAL through wal-fetch; recovery.signal written`,
        `to start it (the data directory must belong to the server's user, mode 0700): ${r.start}`,
      ].join("\n");
  process.stdout.write(`${text}\n`);
  process.exitCode = signal ? (signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm) : EXIT.ok;
}

/** How PostgreSQL's restore_command runs this very tool: the bin script (or a single binary) by absolute path. */
function selfCommand(): string[] {
  const script = process.argv[1];
  if (!script) return [process.execPath];
  return script.endsWith(".js") || script.endsWith(".mjs") ? [process.execPath, resolve(script)] : [resolve(script)];
}
