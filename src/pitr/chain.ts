import { DEFAULT_SEGMENT_SIZE, historyName, lastSegnoOfEnd, parseWalName, segmentName, segnoOfLsn, type HistoryEntry, type WalFile } from "./wal-name.js";

/**
 * The WAL chain a base backup needs, pure: which segments must exist for a restore from it to
 * reach consistency (start to stop LSN) and to replay on to the newest archived WAL, across
 * timeline switches recorded in history files. Shared by verify (continuity), retention
 * (what may be deleted) and status (age of the newest segment).
 */
export interface BaseBackupWal {
  /** The base backup's archive name, for messages. */
  name: string;
  timeline: number;
  start_lsn: string;
  stop_lsn: string;
  segment_size?: number | undefined;
}

export interface ChainReport {
  base: string;
  ok: boolean;
  /** The timeline recovery follows (the newest one descending from the base's). */
  timeline: number;
  first: string;
  /** The last segment of the unbroken chain (null when even the first is missing). */
  last: string | null;
  /** Segments missing up to the stop LSN: the backup cannot be restored at all. */
  missing_for_consistency: string[];
  /** A gap after the stop LSN: recovery stops before it (the first missing name). */
  gap: string | null;
  /** History files recovery needs that are not archived. */
  missing_history: string[];
}

/** Every archived name → parsed; anything else ignored. */
export function parseArchive(names: Iterable<string>, segmentSize = DEFAULT_SEGMENT_SIZE): WalFile[] {
  const out: WalFile[] = [];
  for (const name of names) {
    const parsed = parseWalName(name, segmentSize);
    if (parsed) out.push(parsed);
  }
  return out;
}

/**
 * Timelines descending from `timeline`, newest first, each with the segment it begins at.
 * `histories` maps a timeline to its parsed history file (ancestors, oldest first).
 */
export function timelinePath(timeline: number, histories: Map<number, HistoryEntry[]>, segmentSize = DEFAULT_SEGMENT_SIZE): { timeline: number; begins: number }[] {
  // The newest timeline whose history includes ours (or ours itself).
  let target = timeline;
  for (const [tli, entries] of histories) if (tli > target && entries.some((e) => e.timeline === timeline)) target = tli;
  const entries = target === timeline ? [] : (histories.get(target) ?? []);
  const path: { timeline: number; begins: number }[] = [];
  let begins = 0;
  for (const entry of entries) {
    path.push({ timeline: entry.timeline, begins });
    // The switch segment is read from the next timeline (it holds the old one's WAL up to the switch).
    begins = segnoOfLsn(entry.switchLsn, segmentSize);
  }
  path.push({ timeline: target, begins });
  return path.filter((p) => p.timeline >= timeline);
}

/** The timeline segment `segno` is read from on `path`. */
function timelineOf(segno: number, path: { timeline: number; begins: number }[]): number {
  let tli = path[0]?.timeline ?? 1;
  for (const p of path) if (segno >= p.begins) tli = p.timeline;
  return tli;
}

export function checkChain(base: BaseBackupWal, archived: WalFile[], histories: Map<number, HistoryEntry[]>): ChainReport {
  const size = base.segment_size ?? DEFAULT_SEGMENT_SIZE;
  const path = timelinePath(base.timeline, histories, size);
  const target = path.at(-1)?.timeline ?? base.timeline;
  const have = new Set(archived.filter((f) => f.kind === "segment").map((f) => f.name));
  const historyNames = new Set(archived.filter((f) => f.kind === "history").map((f) => f.name));
  // Recovery reads the history file of every timeline it switches to.
  const missingHistory = path.filter((p) => p.timeline > base.timeline).map((p) => historyName(p.timeline));
  const start = segnoOfLsn(base.start_lsn, size);
  const stop = lastSegnoOfEnd(base.stop_lsn, size);
  // Only segments recovery would read count: an ancestor timeline's WAL past its switch point is abandoned.
  const newest = Math.max(stop, ...archived.filter((f) => f.kind === "segment" && f.timeline === timelineOf(f.segno, path)).map((f) => f.segno));
  const missingForConsistency: string[] = [];
  let gap: string | null = null;
  let last: string | null = null;
  for (let segno = start; segno <= newest; segno++) {
    const name = segmentName(timelineOf(segno, path), segno, size);
    if (have.has(name)) {
      if (gap === null && missingForConsistency.length === 0) last = name;
      continue;
    }
    if (segno <= stop) missingForConsistency.push(name);
    else if (gap === null) gap = name;
  }
  const missing_history = [...new Set(missingHistory)].filter((h) => !historyNames.has(h));
  return {
    base: base.name,
    ok: missingForConsistency.length === 0 && gap === null && missing_history.length === 0,
    timeline: target,
    first: segmentName(base.timeline, start, size),
    last,
    missing_for_consistency: missingForConsistency,
    gap,
    missing_history,
  };
}

/**
 * For retention: of the archived WAL files, those the kept base backups need (every segment and
 * backup label from the oldest kept base's start segment on, and every history file) and those
 * that may go. No kept base backup: nothing is needed (and nothing can be restored from WAL alone).
 */
export function walNeededBy(kept: BaseBackupWal[], archived: WalFile[]): { keep: WalFile[]; remove: WalFile[] } {
  if (kept.length === 0) return { keep: archived.filter((f) => f.kind === "history"), remove: archived.filter((f) => f.kind !== "history") };
  const oldest = Math.min(...kept.map((b) => segnoOfLsn(b.start_lsn, b.segment_size ?? DEFAULT_SEGMENT_SIZE)));
  const keep: WalFile[] = [];
  const remove: WalFile[] = [];
  for (const file of archived) (file.kind === "history" || file.segno >= oldest ? keep : remove).push(file);
  return { keep, remove };
}

/** For status: the newest archived segment and its age in seconds (by its completion time), or null. */
export function newestSegment(archived: { file: WalFile; archivedAt: Date }[], now = new Date()): { name: string; age_seconds: number } | null {
  let best: { file: WalFile; archivedAt: Date } | null = null;
  for (const item of archived) {
    if (item.file.kind !== "segment") continue;
    if (!best || item.file.segno > best.file.segno || (item.file.segno === best.file.segno && item.file.timeline > best.file.timeline)) best = item;
  }
  return best ? { name: best.file.name, age_seconds: Math.max(0, Math.round((now.getTime() - best.archivedAt.getTime()) / 1000)) } : null;
}
