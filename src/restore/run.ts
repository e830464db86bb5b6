import { locateArchive, type LocatedArchive } from "../catalog/locate.js";
import { openReadStorage } from "../catalog/storage.js";
import type { RunContext } from "../run/context.js";
import { UsageError } from "../util/errors.js";
import { restoreFiles, type FilesRestoreResult } from "./files.js";
import { prepareResolved, type PreparedArchive } from "./prepare.js";
import { createProgress } from "./progress.js";

export type RestoreMode = "safe" | "fast" | "test";

export interface RestoreOptions {
  file: string;
  target?: string | undefined;
  /** Instance id or name whose server receives a database restore (default: the sidecar's). */
  instance?: string | undefined;
  storage?: string | undefined;
  mode?: RestoreMode | undefined;
  force: boolean;
  jobs?: number | undefined;
  tables?: string[] | undefined;
  globals: boolean;
  /** Where the TTY progress line goes (stderr). */
  progressStream?: NodeJS.WriteStream | undefined;
}

export interface RestoreReport {
  ok: boolean;
  archive: { name: string; location: string; size_bytes: number; sha256: string };
  kind: "database" | "globals" | "files";
  instance: { id: number; name: string; type: string };
  started_at: string;
  duration_ms: number;
  /** Directory (files) or database name restored into. */
  target: string;
  mode: RestoreMode | null;
  files?: FilesRestoreResult;
  database?: DatabaseRestoreSummary;
  warnings: string[];
}

export interface DatabaseRestoreSummary {
  server: string;
  created: boolean;
  replaced: boolean;
  tables: number | null;
  safety_backup: string | null;
  rollback: string | null;
  globals_restored: string | null;
}

/**
 * restore: resolve the archive, prove it matches its sidecar (size + sha256) before anything is
 * touched, then restore by kind. Every failure throws with what happened (exit 1 or 2).
 */
export async function runRestore(options: RestoreOptions, ctx: RunContext): Promise<RestoreReport> {
  const started = new Date();
  const storage = await openReadStorage(ctx.config, options.storage, ctx);
  let prepared: PreparedArchive | undefined;
  let located: LocatedArchive | undefined;
  try {
    // Without --storage: local first, then each remote in order; a remote copy is downloaded and checked.
    located = await locateArchive(options.file, storage, ctx.config, options.storage, ctx);
    prepared = await prepareResolved(located.archive, { scratchDir: ctx.config.options.tmp_dir, signal: ctx.signal });
    const sidecar = prepared.sidecar;
    const base = {
      ok: true,
      archive: { name: prepared.name, location: prepared.location, size_bytes: sidecar.archive.size_bytes, sha256: sidecar.archive.sha256 },
      kind: sidecar.kind,
      instance: sidecar.instance,
      started_at: started.toISOString(),
      warnings: [] as string[],
    };
    ctx.logger.info({ archive: prepared.location, sha256: sidecar.archive.sha256 }, "archive matches its sidecar (size and sha256)");
    if (sidecar.kind === "files") {
      if (options.mode) throw new UsageError("--mode applies to database archives; a files archive is restored to --target DIR or, without it, to its original locations");
      if (options.tables || options.jobs || options.globals) throw new UsageError("--tables, --jobs and --globals apply to database archives");
      const progress = createProgress(options.progressStream ?? process.stderr, "restoring");
      try {
        const files = await restoreFiles({
          archivePath: prepared.path,
          format: sidecar.archive.format,
          target: options.target ?? null,
          force: options.force,
          signal: ctx.signal,
          onProgress: (done, total) => progress.update(done, total),
        });
        return { ...base, target: files.root, mode: null, files, warnings: files.warnings, duration_ms: Date.now() - started.getTime() };
      } finally {
        progress.finish();
      }
    }
    throw new UsageError(`restoring ${sidecar.instance.type} archives is not supported by this version`);
  } finally {
    await prepared?.release();
    await located?.close();
    await storage.close();
  }
}
