import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { HashCounter } from "../archive/hash-counter.js";
import { archiveExtension } from "../archive/format.js";
import { openArchiveOutput } from "../archive/output.js";
import { encryptionPlan } from "../crypto/target.js";
import { createEncryptStream } from "../crypto/streams.js";
import { archiveDirectory, archiveFileName, sidecarPath } from "../catalog/naming.js";
import { SIDECAR_FORMAT_VERSION, type Sidecar } from "../catalog/sidecar.js";
import { sealSidecar } from "../catalog/sidecar-secrets.js";
import { instanceName } from "../config/schema.js";
import type { BackupUnit } from "../sources/source.js";
import { describeError } from "../util/errors.js";
import { atomicWriteFile, ensurePrivateDir } from "../util/fs.js";
import { ioFailure } from "../util/io-error.js";
import { TOOL_NAME, VERSION } from "../version.js";
import type { RunContext } from "./context.js";
import type { UnitOutcome } from "./report.js";
import { replicate } from "./replicate.js";

/**
 * Runs one unit: archive to a temporary name (hashed in the same pass), fsync, rename, then the
 * sidecar, last. On any failure the partial is removed and no sidecar exists.
 */
export async function runUnit(unit: BackupUnit, run: { id: string; purpose?: "safety" | undefined }, ctx: RunContext): Promise<UnitOutcome> {
  const runId = run.id;
  const { config, logger } = ctx;
  const name = instanceName(unit.instance);
  const base: Pick<UnitOutcome, "instance" | "kind" | "database" | "source"> = {
    instance: { id: unit.instance.id, name, type: unit.instance.type },
    kind: unit.kind,
    database: unit.database,
    source: unit.describe,
  };
  const startedAt = new Date();
  // Unique per unit by construction (see naming.ts); commit() still refuses to replace a file.
  const dir = archiveDirectory(config.storage.local.path, config.server.name, name, unit.database, unit.kind);
  const log = logger.child({ instance: name, ...(unit.database ? { database: unit.database } : {}) });
  let file = join(dir, archiveFileName({ instance: name, database: unit.database, kind: unit.kind, startedAt, runId, extension: archiveExtension(unit.packing.format, unit.dumpExtension) }));

  let output: ReturnType<typeof openArchiveOutput> | undefined;
  let shown: { done(): void } | undefined;
  try {
    // Encryption is a stage after compression: archive → age → hash → file (crypto/).
    const encryption = await encryptionPlan(config, unit.instance);
    const plaintext = encryption ? new HashCounter() : null;
    if (encryption) file = join(dir, archiveFileName({ instance: name, database: unit.database, kind: unit.kind, startedAt, runId, extension: archiveExtension(unit.packing.format, unit.dumpExtension), encrypted: true }));
    log.info({ source: unit.describe, archive: file }, "backup started");
    if (ctx.signal.aborted) throw new Error("interrupted before start");
    await ensurePrivateDir(dir);
    output = openArchiveOutput(file, encryption && plaintext ? [plaintext, createEncryptStream(encryption.target)] : []);
    const counted = output;
    shown = ctx.progress?.start(`${name}${unit.database ? `/${unit.database}` : ""}`, () => counted.bytesWritten);
    const scratchDir = config.options.tmp_dir ?? dir;
    if (scratchDir !== dir) await ensurePrivateDir(scratchDir);
    const product = await unit.produce({ out: output.sink, scratchDir, logger: log, redactor: ctx.redactor, signal: ctx.signal, encryptSpool: encryption !== null });
    if (ctx.signal.aborted) throw new Error("interrupted");
    const committed = await output.commit();
    shown?.done();
    const completedAt = new Date();
    const sidecar: Sidecar = {
      format_version: SIDECAR_FORMAT_VERSION,
      backup_id: randomUUID(),
      run_id: runId,
      ...(run.purpose ? { purpose: run.purpose } : {}),
      status: "completed",
      server: { name: config.server.name, ...(config.server.location ? { location: config.server.location } : {}) },
      instance: base.instance,
      kind: unit.kind,
      database: unit.database,
      patterns: unit.instance.type === "files" ? { paths: unit.instance.paths, exclude: unit.instance.exclude } : null,
      archive: {
        file: basename(file),
        format: unit.packing.format,
        size_bytes: committed.size_bytes,
        sha256: committed.sha256,
        compression: unit.packing.recorded,
      },
      ...(encryption && plaintext ? { encryption: { ...encryption.record, plaintext: { size_bytes: plaintext.bytes, sha256: plaintext.digest() } } } : {}),
      started_at: startedAt.toISOString(),
      completed_at: completedAt.toISOString(),
      duration_ms: completedAt.getTime() - startedAt.getTime(),
      dump_tool: product.dumpTool,
      dump_format: product.dumpFormat,
      source_server_version: product.serverVersion,
      tool: { name: TOOL_NAME, version: VERSION },
      contents: product.contents,
      ...(product.tables ? { tables: product.tables } : {}),
      ...(product.databaseProperties ? { database_properties: product.databaseProperties } : {}),
      ...(product.pitr ? { pitr: product.pitr } : {}),
      warnings: product.warnings,
    };
    try {
      // Free text redacted, structure untouched; a secret in a name fails the unit (sidecar-secrets.ts).
      const sealed = sealSidecar(sidecar, ctx.redactor);
      await atomicWriteFile(sidecarPath(file), `${JSON.stringify(sealed, null, 2)}\n`, 0o600, { exclusive: true });
    } catch (err) {
      // An archive without a sidecar is not a backup: do not leave one that looks like it.
      await rm(file, { force: true });
      // A file system error (ENOSPC, EEXIST) names the file; a secret found by the seal stays as it is.
      throw (err as NodeJS.ErrnoException).code ? ioFailure("writing the sidecar", sidecarPath(file), err) : err;
    }
    for (const warning of product.warnings) log.warn(warning);
    log.info({ archive: file, bytes: committed.size_bytes, sha256: committed.sha256, ms: sidecar.duration_ms }, "backup completed");
    // Off-site copies: a remote that fails fails the unit; the local backup stays either way.
    const copies = await replicate({ archive: file, sidecar: sidecarPath(file), sha256: committed.sha256 }, ctx.remotes ?? [], ctx, log);
    return {
      ...base,
      status: copies.error ? "failed" : "success",
      archive: file,
      sidecar: sidecarPath(file),
      size_bytes: committed.size_bytes,
      sha256: committed.sha256,
      duration_ms: Date.now() - startedAt.getTime(),
      warnings: product.warnings,
      ...(copies.remotes.length > 0 ? { remotes: copies.remotes } : {}),
      ...(copies.localDeleted ? { local_deleted: true } : {}),
      ...(copies.error ? { error: copies.error } : {}),
    };
  } catch (err) {
    shown?.done();
    await output?.abort();
    const message = ctx.redactor.redact(describeError(err));
    log.error({ err: message }, "backup failed");
    return { ...base, status: "failed", duration_ms: Date.now() - startedAt.getTime(), warnings: [], error: message };
  }
}
