import type { Sidecar } from "../catalog/sidecar.js";
import { OperationError } from "../util/errors.js";
import { readEntries, type ArchiveEntry } from "./entries.js";

/** The dump inside a database archive: its one file entry (`<db>.sql` or `<db>.dump`). */
export function dumpEntryName(sidecar: Sidecar): string {
  const files = sidecar.contents.filter((e) => (e.type ?? "file") === "file");
  const first = files[0];
  if (files.length !== 1 || !first) {
    throw new OperationError(`${sidecar.archive.file} should hold exactly one dump file, its sidecar lists ${files.length}`);
  }
  return first.name;
}

/**
 * Runs `use` with the dump entry while the archive is open; the dump is streamed, never
 * extracted. Resolves with what `use` returns.
 */
export async function withDumpEntry<T>(path: string, sidecar: Sidecar, use: (entry: ArchiveEntry) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const wanted = dumpEntryName(sidecar);
  for await (const entry of readEntries(path, sidecar.archive.format, { signal })) {
    if (entry.type === "file" && entry.name.replace(/^\.\//, "") === wanted) return use(entry);
  }
  throw new OperationError(`${sidecar.archive.file} does not contain ${wanted}`);
}
