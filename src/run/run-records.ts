import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { RUN_RECORD_VERSION, runRecordKey, unitDirectory, type RunRecord } from "../catalog/run-record.js";
import { instanceName, type Instance } from "../config/schema.js";
import type { BackupUnit } from "../sources/source.js";
import type { Storage } from "../storage/storage.js";
import { describeError } from "../util/errors.js";
import { LocalStorage } from "../storage/local.js";
import type { RunContext } from "./context.js";

export interface PlannedInstance {
  instance: Instance;
  units: BackupUnit[];
  error?: string;
}

/**
 * Writes one run record per instance (see catalog/run-record.ts) before the first unit starts:
 * locally (unless storage.local.keep is false: the archives will not stay there) and to every
 * remote. A record that cannot be written is a warning, never a failed run: the backups matter
 * more than the bookkeeping, and verify --latest then falls back to the sidecars alone.
 */
export async function writeRunRecords(planned: readonly PlannedInstance[], runId: string, startedAt: Date, remotes: readonly Storage[], ctx: RunContext): Promise<void> {
  const server = ctx.config.server.name;
  for (const { instance, units, error } of planned) {
    const name = instanceName(instance);
    const record: RunRecord = {
      format_version: RUN_RECORD_VERSION,
      run_id: runId,
      started_at: startedAt.toISOString(),
      server,
      instance: { id: instance.id, name, type: instance.type },
      units: units.map((u) => ({ kind: u.kind, database: u.database, directory: unitDirectory(server, name, u.database, u.kind) })),
      ...(error ? { planning_error: error } : {}),
    };
    const key = runRecordKey(server, name, startedAt, runId);
    const text = `${ctx.redactor.redact(JSON.stringify(record, null, 2))}\n`;
    const sha256 = createHash("sha256").update(text).digest("hex");
    const targets = ctx.config.storage.local.keep ? [new LocalStorage(ctx.config.storage.local.path), ...remotes] : remotes;
    await Promise.all(
      targets.map((storage) =>
        storage
          .put(key, { stream: Readable.from([Buffer.from(text)]), size: Buffer.byteLength(text) }, { sha256, contentType: "application/json", signal: ctx.signal })
          .catch((err: unknown) => ctx.logger.warn({ record: storage.describe(key), err: ctx.redactor.redact(describeError(err)) }, "could not write the run record (verify --latest will rely on sidecars alone)")),
      ),
    );
  }
}
