import { instanceName, type Config, type PostgresInstance } from "../config/schema.js";
import type { Storage } from "../storage/storage.js";
import type { VerifyResult } from "../verify/verify.js";
import { describeError } from "../util/errors.js";
import { checkChain, parseArchive, type ChainReport } from "./chain.js";
import { listBaseBackups } from "./restore-until.js";
import { parseHistory, type HistoryEntry } from "./wal-name.js";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { AgeKeys } from "../crypto/streams.js";
import { openWalContent } from "./wal-read.js";
import { listArchivedWal, readWalMarker, walPrefix } from "./wal-store.js";

/**
 * verify of a PITR instance: for every complete base backup in `storage`, the WAL chain from its
 * start through its stop point (without which it cannot be restored) and on to the newest
 * archived segment without a gap, across timeline switches, with the history files recovery needs.
 */
export async function verifyWalChains(storage: Storage, config: Config, instance: PostgresInstance, keys?: AgeKeys): Promise<VerifyResult[]> {
  const name = instanceName(instance);
  const prefix = walPrefix(config.server.name, name);
  const bases = await listBaseBackups(storage, config.server.name, instance);
  const archived = parseArchive((await listArchivedWal(storage, prefix)).map((w) => w.name));
  const histories = new Map<number, HistoryEntry[]>();
  for (const file of archived.filter((f) => f.kind === "history")) {
    const marker = await readWalMarker(storage, prefix, file.name);
    if (!marker) continue;
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => void (chunks.push(chunk), done()) });
    await pipeline([...(await openWalContent(storage, prefix, marker, keys)), sink]);
    histories.set(file.timeline, parseHistory(Buffer.concat(chunks).toString("utf8")));
  }
  if (bases.length === 0) {
    return [{ name: `WAL of ${name}`, location: storage.describe(prefix), ok: false, instance: name, database: null, started_at: null, checks: [{ check: "wal-chain", ok: false, detail: "no base backup: WAL alone cannot be restored" }] }];
  }
  return bases.map((base) => {
    let report: ChainReport;
    try {
      report = checkChain({ name: base.name, timeline: base.pitr.timeline, start_lsn: base.pitr.start_lsn, stop_lsn: base.pitr.stop_lsn, segment_size: base.pitr.segment_size }, archived, histories);
    } catch (err) {
      return { name: `WAL chain from ${base.name}`, location: storage.describe(prefix), ok: false, instance: name, database: null, started_at: base.pitr.start_time, checks: [{ check: "wal-chain" as const, ok: false, detail: describeError(err) }] };
    }
    return {
      name: `WAL chain from ${base.name}`,
      location: storage.describe(prefix),
      ok: report.ok,
      instance: name,
      database: null,
      started_at: base.pitr.start_time,
      checks: [{ check: "wal-chain" as const, ok: report.ok, detail: describeChain(report) }],
    };
  });
}

function describeChain(r: ChainReport): string {
  const problems: string[] = [];
  if (r.missing_for_consistency.length > 0) problems.push(`missing before the backup's end point (it cannot be restored): ${r.missing_for_consistency.join(", ")}`);
  if (r.gap) problems.push(`gap at ${r.gap}: recovery stops before it`);
  if (r.missing_history.length > 0) problems.push(`history files missing: ${r.missing_history.join(", ")}`);
  const span = `${r.first} … ${r.last ?? "(none)"} on timeline ${r.timeline}`;
  return problems.length > 0 ? `${problems.join("; ")} (continuous: ${span})` : `continuous ${span}`;
}
