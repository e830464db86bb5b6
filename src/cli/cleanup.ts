import type { Command } from "commander";
import { openLocal, openNamedStorage, openRemotes } from "../storage/registry.js";
import type { Storage } from "../storage/storage.js";
import type { Config } from "../config/schema.js";
import { hasAnyPolicy } from "../retention/groups.js";
import { runCleanup } from "../retention/cleanup.js";
import { selectInstances } from "../run/select.js";
import { logSwept, sweepLocal, sweepRemote } from "../run/sweep.js";
import { EXIT, UsageError } from "../util/errors.js";
import { renderCleanup } from "./cleanup-render.js";
import { globalsOf } from "./globals.js";
import { openSession } from "./session.js";
import { withInterrupts } from "./signals.js";
import { lockWaitMs, lockWaitOption, takeLock } from "./lock-wait.js";
import { runLockLabel, runLockName } from "../lock/names.js";

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerCleanup(program: Command): void {
  program
    .command("cleanup")
    .description("apply the retention policy: delete the backups no rule keeps, on every storage (each judged on its own listing)")
    .option("-i, --instance <id|name>", "only this instance's backups (repeatable)", collect, [])
    .option("--storage <name>", "only this storage: local or a remote's name (repeatable)", collect, [])
    .option("--dry-run", "print what would be kept and deleted; delete nothing")
    .option("--force", "delete even when max_delete refuses")
    .option("--json", "print the result (per storage and per group) as JSON on stdout")
    .addOption(lockWaitOption())
    .addHelpText(
      "after",
      `
The sidecars are the catalogue: only complete backups (an archive with its valid sidecar) are
judged, grouped per instance and database; the newest of each group is always kept. Files
without a sidecar, damaged backups and foreign files are never touched. Exit codes: 0 done,
1 a deletion failed or max_delete refused, 2 usage or config error (no retention policy),
3 a backup or cleanup of this config holds the lock (--lock-wait waits; a dry run needs no lock).`,
    )
    .action(async (opts: { instance: string[]; storage: string[]; dryRun?: boolean; force?: boolean; lockWait?: string }, command: Command) => {
      const globals = globalsOf(command);
      const session = await openSession(globals);
      const config = session.loaded.config;
      if (!hasAnyPolicy(config)) throw new UsageError(`no retention policy in ${session.loaded.file}: nothing to clean up (add a retention block, see docs/configuration.md)`);
      // The run lock of a backup: a cleanup never deletes while this config's backup or another cleanup runs.
      const lock = opts.dryRun === true ? undefined : (await withInterrupts((sig) => takeLock({ name: runLockName(config, session.loaded.file), what: runLockLabel(config, session.loaded.file), waitMs: lockWaitMs(opts.lockWait), logger: session.logger }, sig))).result;
      try {
        await cleanupLocked(opts, globals, session, config);
      } finally {
        await lock?.release();
      }
    });
}

/** The cleanup itself, once the lock is held (or on a dry run, which takes none). */
async function cleanupLocked(opts: { instance: string[]; storage: string[]; dryRun?: boolean; force?: boolean }, globals: ReturnType<typeof globalsOf>, session: Awaited<ReturnType<typeof openSession>>, config: Config): Promise<void> {
  const instanceIds = opts.instance.length === 0 ? null : new Set(selectInstances(config, opts.instance).map((i) => i.id));
  const storageCtx = { redactor: session.redactor, logger: session.logger };
  const storages: Storage[] =
    opts.storage.length === 0
      ? [openLocal(config), ...(await openRemotes(config, storageCtx))]
      : await Promise.all([...new Set(opts.storage)].map((name) => openNamedStorage(config, name, storageCtx)));
  try {
    if (opts.dryRun !== true) {
      // What killed runs (or a killed cleanup: a marker's partial write) left goes first, as backup does it.
      const sweepCtx = { config, logger: session.logger };
      const swept = await Promise.all(storages.map((s) => (s.kind === "local" ? sweepLocal(sweepCtx) : s.kind === "sftp" ? sweepRemote(s, sweepCtx) : Promise.resolve([]))));
      logSwept(swept.flat(), session.logger);
    }
    const { result, signal } = await withInterrupts((sig) =>
      runCleanup({ dryRun: opts.dryRun === true, force: opts.force === true, storages, instanceIds }, { config, logger: session.logger, redactor: session.redactor, signal: sig }),
    );
    const text = globals.json ? session.redactor.json(result) : session.redactor.redact(renderCleanup(result));
    process.stdout.write(`${text}\n`);
    if (signal) process.exitCode = signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
    else process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
    if (opts.dryRun !== true && config.metrics) {
      // Its own metrics group (command="cleanup"): never replaces the backup's; never changes the exit code.
      const [{ cleanupRegistry }, { publishCommandMetrics }] = await Promise.all([import("../metrics/cleanup.js"), import("../metrics/command.js")]);
      await publishCommandMetrics("cleanup", cleanupRegistry(result, { exitCode: Number(process.exitCode), completedAt: new Date() }), { config, logger: session.logger, redactor: session.redactor });
    }
  } finally {
    await Promise.all(storages.map((s) => s.close().catch(() => undefined)));
  }
}
