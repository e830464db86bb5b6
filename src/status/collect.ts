import { listCatalog } from "../catalog/list.js";
import { readNewestRunRecord, type NewestRecord } from "../catalog/run-record.js";
import { instanceName, type Config, type Instance } from "../config/schema.js";
import { lockHolder } from "../lock/lock.js";
import { runLockName } from "../lock/names.js";
import { lastRunPath, readLastRun } from "../state/last-run.js";
import type { Storage } from "../storage/storage.js";
import { computeStatus, type StatusRow } from "./freshness.js";
import type { Threshold } from "./threshold.js";
import { walRows } from "./wal.js";

/** status: read from the catalogue (sidecars and run records) in `storage`, and the last-run state file when there is one. */
export async function collectStatus(config: Config, configFile: string, instances: readonly Instance[], storage: Storage, threshold: Threshold, now = new Date()): Promise<{ rows: StatusRow[]; running: boolean }> {
  const entries = await listCatalog(storage);
  const records = new Map<string, NewestRecord | null>();
  for (const instance of instances) {
    const name = instanceName(instance);
    records.set(name, await readNewestRunRecord(storage, config.server.name, name));
  }
  // A run in progress has planned units it has not finished yet: they are not failures.
  const running = (await lockHolder(runLockName(config, configFile))) !== undefined;
  // The state file (written after every run) knows a run failed even when every archive of it exists.
  const state = await readLastRun(config.options.state_dir, config.server.name);
  const lastRun = state.ok ? { file: lastRunPath(config.options.state_dir, config.server.name), instances: state.state.instances } : null;
  const rows = computeStatus({ server: config.server.name, instances, entries, records, running, now, lastRun, maxAgeMs: threshold.maxAgeMs, ...(threshold.staleDetail ? { staleDetail: threshold.staleDetail } : {}) });
  // PITR instances: is WAL still being archived? (a base backup alone does not say)
  return { rows: [...rows, ...(await walRows(config, instances, storage, now))], running };
}
