import type { Sidecar } from "../catalog/sidecar.js";
import { boundedBody, checkEntrySize, normalEntryName, type RecordedSizes } from "../restore/entry-bounds.js";
import { readEntries, type EntryType } from "../restore/entries.js";
import { OperationError } from "../util/errors.js";

export interface ReadBackEntry {
  name: string;
  type: EntryType;
  size: number;
  linkTarget: string | null;
}

export interface ReadBack {
  entries: ReadBackEntry[];
  bytes: number;
  /** The last bytes of each entry `keepTail` selected (dump trailers). */
  tails: Map<string, Buffer>;
}

const TAIL = 4096;

/**
 * Reads the archive end to end: every zip entry decompressed and its CRC-32 compared (by the reader), every
 * tar.gz byte decompressed and every tar header parsed. Throws on the first damage found.
 * With `recorded` (the sidecar's sizes), an entry whose header claims more than recorded is not
 * read at all, and no body is read past its size: a bomb costs nothing to verify.
 */
export async function readArchiveFully(
  path: string,
  format: Sidecar["archive"]["format"],
  keepTail: (name: string) => boolean,
  signal?: AbortSignal,
  recorded?: RecordedSizes,
): Promise<ReadBack> {
  const entries: ReadBackEntry[] = [];
  const tails = new Map<string, Buffer>();
  let bytes = 0;
  for await (const entry of readEntries(path, format, { signal, recorded: recorded && [...recorded].map(([name, size]) => ({ name, size })) })) {
    let size = 0;
    let tail = Buffer.alloc(0);
    const keep = entry.type === "file" && keepTail(entry.name);
    if (recorded) checkEntrySize(entry, recorded, "not read");
    for await (const chunk of recorded ? boundedBody(entry.body(), entry.size, entry.name) : entry.body()) {
      size += chunk.length;
      if (keep) tail = Buffer.concat([tail, chunk]).subarray(-TAIL);
    }
    if (entry.type === "file" && size !== entry.size) throw new OperationError(`entry ${entry.name} holds ${size} bytes, its header says ${entry.size}`);
    if (keep) tails.set(entry.name, tail);
    bytes += size;
    entries.push({ name: entry.name, type: entry.type, size, linkTarget: entry.linkTarget });
  }
  return { entries, bytes, tails };
}

/** Differences between what the archive holds and what its sidecar says it holds. */
export function compareContents(sidecar: Sidecar, found: readonly Pick<ReadBackEntry, "name" | "type" | "size">[]): string[] {
  const norm = normalEntryName;
  const actual = new Map(found.map((e) => [norm(e.name), e]));
  const problems: string[] = [];
  for (const recorded of sidecar.contents) {
    const entry = actual.get(norm(recorded.name));
    if (!entry) problems.push(`${recorded.name} is in the sidecar but not in the archive`);
    else if ((recorded.type ?? "file") === "file" && entry.type === "file" && entry.size !== recorded.size) {
      problems.push(`${recorded.name} holds ${entry.size} bytes, the sidecar records ${recorded.size}`);
    }
    actual.delete(norm(recorded.name));
  }
  for (const name of actual.keys()) problems.push(`${name} is in the archive but not in the sidecar`);
  return problems;
}
