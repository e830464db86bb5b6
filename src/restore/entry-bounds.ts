import type { Sidecar } from "../catalog/sidecar.js";
import { OperationError } from "../util/errors.js";
import type { EntryType } from "./entries.js";

/**
 * What the sidecar recorded for each entry is the budget for reading it: a zip whose headers
 * claim 2 GiB (a decompression bomb, or an archive swapped under a forged sidecar) is refused
 * at its header, and a body is never read past the size recorded for it.
 */
export type RecordedSizes = ReadonlyMap<string, number>;

/** Entry names as the sidecar and the archive may spell them: "./a/" and "a" are the same entry. */
export function normalEntryName(name: string): string {
  return name.replace(/^\.\//, "").replace(/\/+$/, "");
}

export function recordedSizes(contents: Sidecar["contents"]): RecordedSizes {
  return new Map(contents.map((e) => [normalEntryName(e.name), e.size]));
}

/** An entry larger than its sidecar says, or not in the sidecar at all: nothing of it is read. */
export class OversizeEntryError extends OperationError {}

/**
 * Throws unless a file entry's header size fits what the sidecar recorded for it. Entries
 * without a body (directories, symlinks, hard links) carry no bytes and pass. `action` says what
 * the caller does instead ("refused", "not read").
 */
export function checkEntrySize(entry: { name: string; type: EntryType; size: number }, recorded: RecordedSizes, action: string): void {
  if (entry.type !== "file") return;
  const name = JSON.stringify(entry.name);
  const limit = recorded.get(normalEntryName(entry.name));
  if (limit === undefined) throw new OversizeEntryError(`archive entry ${name} (${entry.size} bytes) is not in its sidecar (an archive holding more than its sidecar records is forged or damaged): ${action}`);
  if (entry.size > limit) throw new OversizeEntryError(`archive entry ${name} holds ${entry.size} bytes, but its sidecar records ${limit} (a decompression bomb or a forged archive): ${action}`);
}

/** The body, stopped with an error as soon as it yields more than `limit` bytes. */
export async function* boundedBody(body: AsyncIterable<Buffer>, limit: number, name: string): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > limit) throw new OversizeEntryError(`archive entry ${JSON.stringify(name)} holds more than the ${limit} bytes its header and sidecar record: stopped reading (the archive is forged or damaged)`);
    yield chunk;
  }
}
