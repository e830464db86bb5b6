import type { Command } from "commander";
import { importArchive, type ImportResult } from "../import/adopt.js";
import { isKnownTimeZone } from "../import/legacy-name.js";
import { selectInstances } from "../run/select.js";
import { openRemotes } from "../storage/registry.js";
import { EXIT, UsageError } from "../util/errors.js";
import { globalsOf } from "./globals.js";
import { openSession } from "./session.js";
import { withInterrupts } from "./signals.js";

interface ImportFlags {
  file: string;
  instance: string;
  database?: string;
  startedAt?: string;
  timezone?: string;
  json?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command("import")
    .description("adopt an archive of the old Python tool: copy it into storage with a sidecar so list, verify and restore work on it")
    .requiredOption("-f, --file <archive>", "the old archive, e.g. 20210922_162528_app.zip (a .sql dump) or a .tar.gz files backup")
    .requiredOption("-i, --instance <id|name>", "the instance it belongs to (its type must match the archive)")
    .option("-d, --database <name>", "the database the dump holds (default: the name after the timestamp)")
    .option("--started-at <iso>", "when the old backup was made, e.g. 2021-09-22T16:25:28Z (default: the time in its name)")
    .option("--timezone <zone>", "the zone the old tool's machine ran in, to read the time in its file names (default: this machine's)")
    .option("--json", "print the result as JSON on stdout")
    .addHelpText(
      "after",
      `
The original file is never changed: it is copied to <storage.local.path>/<server>/<instance>/
[<database>/] under this tool's naming, read end to end (every zip CRC-32, the whole tar.gz,
entry names as restore checks them, the dump's completion line), given a sidecar marked
"imported", and copied to every remote. Importing the same file again changes nothing.
Exit codes: 0 imported (or already imported), 1 refused or failed (the reason is printed),
2 usage or config error, 130/143 interrupted.`,
    )
    .action(async (flags: ImportFlags, command: Command) => {
      const globals = globalsOf(command);
      const timeZone = flags.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (!isKnownTimeZone(timeZone)) throw new UsageError(`--timezone ${JSON.stringify(timeZone)} is not a time zone this system knows (e.g. UTC, America/Sao_Paulo)`);
      const startedAt = flags.startedAt === undefined ? undefined : new Date(flags.startedAt);
      if (startedAt && Number.isNaN(startedAt.getTime())) throw new UsageError(`--started-at ${JSON.stringify(flags.startedAt)} is not a date and time (e.g. 2021-09-22T16:25:28Z)`);
      const session = await openSession(globals);
      const config = session.loaded.config;
      const [instance] = selectInstances(config, [flags.instance]);
      if (!instance) throw new UsageError(`unknown instance "${flags.instance}"`);
      const remotes = await openRemotes(config, { redactor: session.redactor, logger: session.logger });
      try {
        const { result, signal } = await withInterrupts(async (sig) => {
          try {
            return await importArchive(
              { file: flags.file, instance, database: flags.database, startedAt, timeZone },
              { config, logger: session.logger, redactor: session.redactor, signal: sig, remotes },
            );
          } catch (err) {
            // Interrupted: the failure is the signal's doing, and importArchive removed its copy.
            if (sig.aborted) return null;
            throw err;
          }
        });
        if (signal || !result) {
          process.stderr.write(`vya-backupdb: interrupted by ${signal ?? "a signal"}; nothing was imported\n`);
          process.exitCode = signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
          return;
        }
        const text = globals.json || flags.json ? JSON.stringify(result, null, 2) : render(result);
        process.stdout.write(`${session.redactor.redact(text)}\n`);
        process.exitCode = result.status === "failed" ? EXIT.failed : EXIT.ok;
      } finally {
        await Promise.all(remotes.map((r) => r.close().catch(() => undefined)));
      }
    });
}

function render(result: ImportResult): string {
  const what = result.database === null ? "files backup" : `dump of ${result.database}`;
  const head =
    result.status === "already-imported"
      ? `already imported: ${result.archive}`
      : result.status === "failed"
        ? `imported locally as ${result.archive}, but a remote copy failed: ${result.error ?? ""}`
        : `imported ${result.original} (${what}, ${result.started_at}) as ${result.archive}`;
  return [head, ...result.warnings.map((w) => `warning: ${w}`)].join("\n");
}
