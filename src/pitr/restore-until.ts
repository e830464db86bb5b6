import { appendFile, chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { extract } from "tar";
import { listCatalog } from "../catalog/list.js";
import { basePrefix } from "./base-list.js";
import { instanceName, type PostgresInstance } from "../config/schema.js";
import { prepareResolved } from "../restore/prepare.js";
import type { RunContext } from "../run/context.js";
import type { Storage } from "../storage/storage.js";
import { OperationError, UsageError } from "../util/errors.js";
import type { BasePitrInfo } from "./base-info.js";
import { recoveryConf } from "./recovery-settings.js";
import { pgTargetTime } from "./target-time.js";
import type { AgeKeys } from "../crypto/streams.js";

export interface UntilRequest {
  instance: PostgresInstance;
  until: Date;
  target: string;
  /** The command that runs this tool, for restore_command. */
  self: string[];
  configFile: string;
  action: "promote" | "pause" | "shutdown";
  /** Keys for an encrypted base backup (--identity, encryption.identity). */
  keys?: AgeKeys | undefined;
  /** --identity, handed on to wal-fetch in restore_command (encrypted WAL). */
  identityFile?: string | undefined;
}

export interface UntilReport {
  ok: true;
  kind: "pitr";
  instance: { id: number; name: string };
  base_backup: { name: string; location: string; stop_time: string; timeline: number; start_lsn: string; stop_lsn: string };
  until: string;
  recovery_target_time: string;
  target: string;
  files: number;
  start: string;
}

/** Complete base backups of `instance` in `storage`, oldest first. */
export async function listBaseBackups(storage: Storage, server: string, instance: PostgresInstance): Promise<{ name: string; key: string; pitr: BasePitrInfo }[]> {
  const entries = await listCatalog(storage, basePrefix(server, instanceName(instance)));
  return entries
    .flatMap((e) => (e.state === "complete" && e.sidecar?.kind === "basebackup" && e.sidecar.pitr ? [{ name: e.name, key: e.key, pitr: e.sidecar.pitr }] : []))
    .sort((a, b) => a.pitr.stop_time.localeCompare(b.pitr.stop_time));
}

/**
 * restore -i ID --until TIME --target EMPTY_DIR: the newest base backup that ended before TIME,
 * checked against its sidecar, extracted into the empty directory, with recovery settings that
 * fetch WAL through wal-fetch and stop at TIME. The server is not started: the report says how.
 */
export async function restoreUntil(request: UntilRequest, storage: Storage, ctx: RunContext): Promise<UntilReport> {
  const target = resolve(request.target);
  const existing = await readdir(target).catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? null : Promise.reject(err)));
  if (existing && existing.length > 0) throw new UsageError(`--target ${target} is not empty: point-in-time recovery writes a new data directory into an empty one`);
  const bases = await listBaseBackups(storage, ctx.config.server.name, request.instance);
  if (bases.length === 0) throw new OperationError(`no base backup of ${instanceName(request.instance)} in ${storage.describe("")}: run backup -i ${request.instance.id} first`);
  const until = request.until.toISOString();
  const usable = bases.filter((b) => b.pitr.stop_time <= until);
  const chosen = usable.at(-1);
  if (!chosen) {
    throw new OperationError(`--until ${until} is before the end of the earliest base backup (${bases[0]?.name}, ended ${bases[0]?.pitr.stop_time}): no recovery can stop there`);
  }
  ctx.logger.info({ base: chosen.name, until }, "base backup chosen");
  const prepared = await prepareResolved({ storage, key: chosen.key, name: chosen.name }, { scratchDir: ctx.config.options.tmp_dir, signal: ctx.signal, keys: request.keys });
  let files = 0;
  try {
    // PostgreSQL refuses a data directory readable by others.
    await mkdir(target, { recursive: true, mode: 0o700 });
    await chmod(target, 0o700);
    await extract({ file: prepared.path, cwd: target, strict: true, preserveOwner: false, onReadEntry: () => void files++ });
  } finally {
    await prepared.release();
  }
  const targetTime = pgTargetTime(request.until);
  await appendFile(resolve(target, "postgresql.auto.conf"), recoveryConf({ self: request.self, configFile: request.configFile, instance: String(request.instance.id), targetTime, action: request.action, identityFile: request.identityFile }), { mode: 0o600 });
  await writeFile(resolve(target, "recovery.signal"), "", { mode: 0o600 });
  return {
    ok: true,
    kind: "pitr",
    instance: { id: request.instance.id, name: instanceName(request.instance) },
    base_backup: { name: chosen.name, location: prepared.location, stop_time: chosen.pitr.stop_time, timeline: chosen.pitr.timeline, start_lsn: chosen.pitr.start_lsn, stop_lsn: chosen.pitr.stop_lsn },
    until,
    recovery_target_time: targetTime,
    target,
    files,
    start: `chown -R postgres:postgres ${target} && runuser -u postgres -- pg_ctl -D ${target} -o '-p 5433' start`,
  };
}
