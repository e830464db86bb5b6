/**
 * WAL file names and LSN arithmetic, pure. A segment is named TTTTTTTTXXXXXXXXYYYYYYYY: timeline,
 * then the segment number split into "log id" and segment within it (256 per log id with the
 * default 16 MiB segments). History files are TTTTTTTT.history, backup labels
 * TTTTTTTTXXXXXXXXYYYYYYYY.OOOOOOOO.backup, and the last, incomplete segment of a timeline a
 * promoted server left is archived as TTTTTTTTXXXXXXXXYYYYYYYY.partial.
 */
export const DEFAULT_SEGMENT_SIZE = 16 * 1024 * 1024;
/** initdb's smallest --wal-segsize: the most segments per log id (4096), so any server's names fit. */
export const MIN_SEGMENT_SIZE = 1024 * 1024;

const SEGMENT_RE = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;
const HISTORY_RE = /^([0-9A-F]{8})\.history$/;
const BACKUP_LABEL_RE = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})\.([0-9A-F]{8})\.backup$/;
const PARTIAL_RE = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})\.partial$/;

export type WalFileKind = "segment" | "history" | "backup-label" | "partial";

export interface WalFile {
  kind: WalFileKind;
  name: string;
  timeline: number;
  /** The segment number (segments and backup labels); -1 for history files. */
  segno: number;
}

function segmentsPerId(segmentSize: number): number {
  return 0x1_0000_0000 / segmentSize;
}

/** What `name` is, or null for anything PostgreSQL would not hand to archive_command. */
export function parseWalName(name: string, segmentSize = DEFAULT_SEGMENT_SIZE): WalFile | null {
  const perId = segmentsPerId(segmentSize);
  const matches: [RegExp, WalFileKind][] = [
    [SEGMENT_RE, "segment"],
    [BACKUP_LABEL_RE, "backup-label"],
    [PARTIAL_RE, "partial"],
  ];
  for (const [re, kind] of matches) {
    const seg = re.exec(name);
    if (!seg) continue;
    const timeline = parseInt(seg[1] as string, 16);
    const low = parseInt(seg[3] as string, 16);
    if (timeline === 0 || low >= perId) return null;
    return { kind, name, timeline, segno: parseInt(seg[2] as string, 16) * perId + low };
  }
  const history = HISTORY_RE.exec(name);
  if (history) {
    const timeline = parseInt(history[1] as string, 16);
    return timeline === 0 ? null : { kind: "history", name, timeline, segno: -1 };
  }
  return null;
}

/**
 * What `name` is when the server's segment size is not known (wal-push, wal-fetch, status): valid
 * under any segment size PostgreSQL allows. Segment numbers still order the files correctly.
 */
export function parseAnyWalName(name: string): WalFile | null {
  return parseWalName(name, MIN_SEGMENT_SIZE);
}

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, "0");

export function segmentName(timeline: number, segno: number, segmentSize = DEFAULT_SEGMENT_SIZE): string {
  const perId = segmentsPerId(segmentSize);
  return `${hex8(timeline)}${hex8(Math.floor(segno / perId))}${hex8(segno % perId)}`;
}

export function historyName(timeline: number): string {
  return `${hex8(timeline)}.history`;
}

/** "0/3000028" → a byte position (exact up to 2^53: 8 PiB of WAL). */
export function parseLsn(lsn: string): number {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn.trim());
  if (!m) throw new Error(`not an LSN: ${JSON.stringify(lsn)}`);
  return parseInt(m[1] as string, 16) * 0x1_0000_0000 + parseInt(m[2] as string, 16);
}

/** The segment holding the byte at `lsn`. */
export function segnoOfLsn(lsn: string, segmentSize = DEFAULT_SEGMENT_SIZE): number {
  return Math.floor(parseLsn(lsn) / segmentSize);
}

/** The segment a backup's stop LSN ends in: an LSN exactly on a boundary ends in the segment before it. */
export function lastSegnoOfEnd(lsn: string, segmentSize = DEFAULT_SEGMENT_SIZE): number {
  const pos = parseLsn(lsn);
  return Math.floor((pos - 1) / segmentSize);
}

export interface HistoryEntry {
  /** A timeline that was left… */
  timeline: number;
  /** …at this LSN, for the next one. */
  switchLsn: string;
}

/** A timeline history file's lines "<parent tli>\t<switch LSN>\t<reason>", comments and blanks skipped. */
export function parseHistory(text: string): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const [tli, lsn] = trimmed.split(/\s+/);
    if (!tli || !lsn || !/^\d+$/.test(tli)) throw new Error(`malformed history line: ${JSON.stringify(line)}`);
    parseLsn(lsn);
    entries.push({ timeline: Number(tli), switchLsn: lsn });
  }
  return entries;
}
