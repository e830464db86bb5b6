import { pathSegment } from "../catalog/naming.js";
import { listCatalog } from "../catalog/list.js";
import type { Config } from "../config/schema.js";
import type { Storage, StoredObject } from "../storage/storage.js";
import { describeError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import { mapPool } from "../util/pool.js";
import type { Redactor } from "../util/redact.js";
import { isWalObjectKey } from "../pitr/wal-store.js";
import { deleteBackup, deletionKeys, journalsIn, readJournal, writeJournal } from "./delete.js";
import { groupBackups, groupKey, policyFor, type BackupGroup, type GroupMember } from "./groups.js";
import { maxDeleteProblem } from "./max-delete.js";
import { decideRetention } from "./policy.js";
import type { CleanupResult, GroupCleanup, StorageCleanup } from "./summary.js";
import { judgeWal, type WalCleanup } from "./wal.js";

export interface CleanupContext {
  config: Config;
  logger: Logger;
  redactor: Redactor;
  signal?: AbortSignal | undefined;
}

export interface CleanupOptions {
  dryRun: boolean;
  /** Delete even when max_delete would refuse. */
  force: boolean;
  /** The storages to clean, opened by the caller. */
  storages: Storage[];
  /** Storages deliberately left alone, with the reason (reported, not cleaned). */
  skipped?: { storage: string; reason: string }[];
  /** Only these instances (ids); null: every group found. */
  instanceIds: ReadonlySet<number> | null;
  /** Only these groups (groupKey); null: every group found. Backup passes the groups it just backed up. */
  groupKeys?: ReadonlySet<string> | null;
  now?: Date;
}

/** Deletions run this many at a time per storage (remote round trips dominate). */
const DELETE_CONCURRENCY = 8;

/** Applies the retention policies to each storage, each on its own listing (remotes drift apart). */
export async function runCleanup(options: CleanupOptions, ctx: CleanupContext): Promise<CleanupResult> {
  const now = options.now ?? new Date();
  const results = await Promise.all(options.storages.map((storage) => cleanStorage(storage, options, now, ctx)));
  const skipped: StorageCleanup[] = (options.skipped ?? []).map((s) => ({ storage: s.storage, kept: 0, deleted: 0, bytes_freed: 0, resumed: 0, errors: [], skipped: s.reason }));
  const storages = [...results.map((r) => r.summary), ...skipped];
  return { dry_run: options.dryRun, ok: storages.every((s) => s.errors.length === 0), storages, groups: results.flatMap((r) => r.groups), wal: results.flatMap((r) => r.wal) };
}

async function cleanStorage(storage: Storage, options: CleanupOptions, now: Date, ctx: CleanupContext): Promise<{ summary: StorageCleanup; groups: GroupCleanup[]; wal: WalCleanup[] }> {
  const summary: StorageCleanup = { storage: storage.name, kept: 0, deleted: 0, bytes_freed: 0, resumed: 0, errors: [] };
  const log = ctx.logger.child({ storage: storage.name });
  const fail = (message: string) => {
    const text = ctx.redactor.redact(message);
    summary.errors.push(text);
    log.error({ err: text }, "cleanup failed");
  };
  let objects;
  try {
    objects = await storage.list(`${pathSegment(ctx.config.server.name)}/`);
  } catch (err) {
    fail(`listing ${storage.describe("")} failed: ${describeError(err)}`);
    return { summary, groups: [], wal: [] };
  }
  const sizes = new Map(objects.map((o) => [o.key, o.size]));
  const bytesOf = (key: string) => deletionKeys(key).reduce((n, k) => n + (sizes.get(k) ?? 0), 0);

  // An earlier cleanup's interrupted deletions are finished first (its journal says which).
  const finished = options.dryRun ? new Set<string>() : await finishJournals(storage, objects, ctx.config.server.name, summary, fail);
  const listed = objects.filter((o) => !finished.has(o.key));

  const entries = await listCatalog(storage, "", listed);
  const groups = groupBackups(entries, ctx.config.server.name).filter(
    (g) => (options.instanceIds === null || options.instanceIds.has(g.instance.id)) && (!options.groupKeys || options.groupKeys.has(groupKey(g.instance.id, g.kind, g.database))),
  );
  const verdicts = groups.map((group) => judge(group, storage.name, now, ctx.config));
  // A PITR instance's WAL follows its base backups: what no kept base backup needs goes with them.
  const walVerdicts = groups.flatMap((group, i) => {
    const keptBases = verdicts[i]?.keptMembers;
    const verdict = group.kind === "basebackup" && keptBases ? judgeWal(storage.name, ctx.config.server.name, group.instance, keptBases, listed) : null;
    return verdict ? [verdict] : [];
  });
  const walDetail = walVerdicts.map((w) => w.detail);

  const refusals = options.force ? [] : verdicts.flatMap((v) => (v.refusal ? [v.refusal] : []));
  if (refusals.length > 0) {
    for (const refusal of refusals) fail(refusal);
    fail(`max_delete: nothing was deleted on ${storage.name} (run cleanup --force to delete anyway)`);
    summary.kept = groups.reduce((n, g) => n + g.members.length, 0);
    return { summary, groups: verdicts.map((v) => ({ ...v.detail, deleted: [] })), wal: walDetail.map((w) => ({ ...w, deleted: [], bytes: 0 })) };
  }

  const doomedBackups = verdicts.flatMap((v) => v.doomed);
  const doomed = [...doomedBackups, ...walVerdicts.flatMap((w) => w.doomed)];
  summary.kept = groups.reduce((n, g) => n + g.members.length, 0) - doomedBackups.length;
  if (walVerdicts.length > 0) summary.wal_deleted = 0;
  if (options.dryRun || doomed.length === 0) {
    summary.deleted = doomedBackups.length;
    if (walVerdicts.length > 0) summary.wal_deleted = doomed.length - doomedBackups.length;
    summary.bytes_freed = doomed.reduce((n, key) => n + bytesOf(key), 0);
    return { summary, groups: verdicts.map((v) => v.detail), wal: walDetail };
  }
  let journal: string;
  try {
    journal = await writeJournal(storage, ctx.config.server.name, doomed, now);
  } catch (err) {
    fail(`storing the cleanup journal on ${storage.describe("")} failed, nothing was deleted: ${describeError(err)}`);
    summary.kept += doomedBackups.length;
    return { summary, groups: verdicts.map((v) => ({ ...v.detail, deleted: [] })), wal: walDetail.map((w) => ({ ...w, deleted: [], bytes: 0 })) };
  }
  const outcomes = await mapPool(doomed, DELETE_CONCURRENCY, async (key) => (ctx.signal?.aborted ? `${storage.describe(key)}: not deleted: interrupted` : deleteBackup(storage, key)));
  outcomes.forEach((problem, index) => {
    const key = doomed[index] as string;
    const wal = isWalObjectKey(key);
    if (problem) {
      fail(problem);
      if (!wal) summary.kept++;
      return;
    }
    if (wal) summary.wal_deleted = (summary.wal_deleted ?? 0) + 1;
    else summary.deleted++;
    summary.bytes_freed += bytesOf(key);
  });
  log.info({ deleted: summary.deleted, wal_deleted: summary.wal_deleted, bytes: summary.bytes_freed }, "deleted by the retention policy");
  // Kept while a deletion in it failed: the next cleanup retries it (and reports it again).
  if (summary.errors.length === 0) await storage.delete(journal).catch((err: unknown) => fail(`removing the cleanup journal ${storage.describe(journal)} failed: ${describeError(err)}`));
  return { summary, groups: verdicts.map((v) => v.detail), wal: walDetail };
}

/** Completes the deletions listed in earlier cleanups' journals; returns the keys gone now. */
async function finishJournals(storage: Storage, objects: readonly StoredObject[], server: string, summary: StorageCleanup, fail: (message: string) => void): Promise<Set<string>> {
  const present = new Set(objects.map((o) => o.key));
  const gone = new Set<string>();
  for (const journal of journalsIn(objects, server)) {
    let keys: string[];
    try {
      keys = await readJournal(storage, journal, server);
    } catch (err) {
      fail(`reading the interrupted cleanup's journal ${storage.describe(journal)} failed: ${describeError(err)}`);
      continue;
    }
    const left = keys.filter((k) => deletionKeys(k).some((d) => present.has(d)));
    const problems = (await mapPool(left, DELETE_CONCURRENCY, (key) => deleteBackup(storage, key))).filter((p): p is string => p !== null);
    for (const problem of problems) fail(problem);
    for (const key of left) for (const d of deletionKeys(key)) gone.add(d);
    summary.resumed += left.length - problems.length;
    if (problems.length === 0) await storage.delete(journal).catch((err: unknown) => fail(`removing ${storage.describe(journal)} failed: ${describeError(err)}`));
  }
  return gone;
}

interface Verdict {
  detail: GroupCleanup;
  /** Archive keys the policy deletes. */
  doomed: string[];
  /** The members the policy keeps; null when no policy applies (then nothing that depends on them is judged either). */
  keptMembers: GroupMember[] | null;
  refusal: string | null;
}

function judge(group: BackupGroup, storage: string, now: Date, config: Config): Verdict {
  const base = { storage, instance: group.instance, kind: group.kind, database: group.database };
  const policy = policyFor(config, storage, group.instance.id);
  const byId = new Map(group.members.map((m) => [m.entry.key, m]));
  if (!policy) {
    const kept = group.members.map((m) => ({ name: m.entry.name, started_at: m.entry.sidecar.started_at, reasons: ["no retention policy"] }));
    return { detail: { ...base, kept, deleted: [] }, doomed: [], keptMembers: null, refusal: null };
  }
  const decisions = decideRetention(group.members.map((m) => ({ id: m.entry.key, time: m.time })), policy, now.getTime());
  const kept: GroupCleanup["kept"] = [];
  const deleted: GroupCleanup["deleted"] = [];
  for (const d of decisions) {
    const member = byId.get(d.id);
    if (!member) continue;
    if (d.keep) kept.push({ name: member.entry.name, started_at: member.entry.sidecar.started_at, reasons: d.reasons });
    else deleted.push({ name: member.entry.name, started_at: member.entry.sidecar.started_at, size_bytes: member.entry.size ?? 0 });
  }
  const label = `${group.instance.name}${group.kind === "files" ? "" : `/${group.database ?? "(globals)"}`}`;
  const refusal = maxDeleteProblem(policy.max_delete, deleted.length, group.members.length, `${label} on ${storage}`);
  const keptMembers = decisions.flatMap((d) => (d.keep && byId.has(d.id) ? [byId.get(d.id) as GroupMember] : []));
  return { detail: { ...base, kept, deleted }, doomed: decisions.filter((d) => !d.keep).map((d) => d.id), keptMembers, refusal };
}
