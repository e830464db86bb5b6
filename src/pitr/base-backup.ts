import { DEFAULT_LEVEL, type Packing } from "../config/packing.js";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Parser, type ReadEntry } from "tar";
import type { ContentEntry } from "../archive/entry.js";
import { createCompressor } from "../archive/compressor.js";
import type { PostgresInstance } from "../config/schema.js";
import { withPostgresConnection } from "../sources/postgres/connection.js";
import { query } from "../sources/postgres/queries.js";
import type { PgTool } from "../sources/postgres/tools.js";
import type { BackupUnit, ProduceContext, UnitProduct } from "../sources/source.js";
import { OperationError } from "../util/errors.js";
import type { Command } from "../util/process.js";
import { startStreaming } from "../util/process.js";
import type { BasePitrInfo } from "./base-info.js";
import { parseBackupFacts } from "./base-info.js";

/**
 * The physical base backup of a PITR instance: pg_basebackup's tar stream (-Ft -D -, with its
 * backup_manifest inside; WAL left
 * to the archive with -X none, which also makes the server wait until the backup's last segment
 * is archived) gzip-compressed straight into the archive, its entries listed on the way by a
 * tar parser. The sidecar's `pitr` block records what recovery needs to pick and check it.
 */
export function pgBasebackupCommand(tool: string, env: Record<string, string>): Command {
  return { file: tool, args: ["--pgdata=-", "--format=tar", "--wal-method=none", "--checkpoint=fast", "--no-password"], env };
}

const ENTRY_TYPES: Record<string, ContentEntry["type"]> = { File: "file", OldFile: "file", Directory: "directory", SymbolicLink: "symlink", Link: "hardlink" };

export function baseBackupUnit(instance: PostgresInstance, tools: { psql: PgTool; basebackup: PgTool }, where: string): BackupUnit {
  return {
    instance,
    kind: "basebackup",
    database: null,
    packing: baseBackupPacking(instance),
    dumpExtension: null,
    describe: `pg_basebackup ${tools.basebackup.version.text} (tar, WAL from the archive) at ${where}`,
    produce: (ctx) => produceBaseBackup(instance, tools, ctx),
  };
}

/**
 * A base backup is always a tar.gz (what `tar -xzf` and pg_basebackup's own layout expect); the
 * instance's deflate level applies, a zstd level does not (it means something else).
 */
function baseBackupPacking(instance: PostgresInstance): Packing {
  const level = instance.compression === "deflate" ? (instance.compression_level ?? DEFAULT_LEVEL.deflate) : DEFAULT_LEVEL.deflate;
  return { format: "tar.gz", compression: { algorithm: "gzip", level }, recorded: { algorithm: level === 0 ? "store" : "deflate", level } };
}

async function produceBaseBackup(instance: PostgresInstance, tools: { psql: PgTool; basebackup: PgTool }, ctx: ProduceContext): Promise<UnitProduct> {
  return withPostgresConnection(instance, async (envFor) => {
    const q = { psql: tools.psql.file, env: envFor("postgres"), signal: ctx.signal, redactor: ctx.redactor };
    const [row] = await query(
      q,
      "SELECT (SELECT system_identifier::text FROM pg_control_system()), current_setting('server_version'), current_setting('wal_segment_size'), current_setting('wal_level'), current_setting('archive_mode')",
      5,
    );
    const [systemId, version, segmentSize, walLevel, archiveMode] = row ?? [];
    if (walLevel === "minimal" || archiveMode === "off") {
      throw new OperationError(`PITR needs wal_level replica (is ${walLevel}) and archive_mode on (is ${archiveMode}): see docs/pitr.md`);
    }
    const startedAt = new Date();
    const child = startStreaming(pgBasebackupCommand(tools.basebackup.file, envFor(undefined)), { signal: ctx.signal, redactor: ctx.redactor });
    const contents: ContentEntry[] = [];
    // backup_label (start) and the end of backup_manifest (WAL range) are read as they pass.
    let label = "";
    let manifestTail = "";
    const parser = new Parser({ strict: true });
    parser.on("entry", (entry: ReadEntry) => {
      const type = ENTRY_TYPES[entry.type];
      if (type) contents.push({ name: entry.path, size: type === "file" ? (entry.size ?? 0) : 0, type });
      if (entry.path === "backup_label") entry.on("data", (chunk: Buffer) => void (label += chunk.toString("utf8")));
      else if (entry.path === "backup_manifest") entry.on("data", (chunk: Buffer) => void (manifestTail = (manifestTail + chunk.toString("utf8")).slice(-65536)));
      else entry.resume();
    });
    const tee = new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
        parser.write(chunk);
        callback(null, chunk);
      },
      flush(callback: TransformCallback) {
        parser.end();
        callback();
      },
    });
    try {
      await pipeline(child.stdout, tee, createCompressor(baseBackupPacking(instance).compression), ctx.out);
    } catch (err) {
      child.kill();
      await child.done.catch(() => undefined);
      throw err;
    }
    await child.done;
    const stoppedAt = new Date();
    const pitr: BasePitrInfo = {
      ...parseBackupFacts(label, manifestTail),
      start_time: startedAt.toISOString(),
      stop_time: stoppedAt.toISOString(),
      system_identifier: systemId ?? "",
      segment_size: parseSegmentSize(segmentSize ?? ""),
    };
    return {
      contents,
      dumpTool: { name: "pg_basebackup", version: tools.basebackup.version.text },
      dumpFormat: null,
      serverVersion: version ?? null,
      pitr,
      warnings: [],
    };
  });
}

/** wal_segment_size as SHOW prints it ("16MB") → bytes. */
export function parseSegmentSize(text: string): number {
  const m = /^(\d+)\s*(kB|MB|GB)?$/.exec(text.trim());
  if (!m) throw new OperationError(`unexpected wal_segment_size ${JSON.stringify(text)}`);
  const unit = m[2] === "kB" ? 1024 : m[2] === "MB" ? 1024 ** 2 : m[2] === "GB" ? 1024 ** 3 : 1;
  return Number(m[1]) * unit;
}
