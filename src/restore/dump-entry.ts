import { open } from "node:fs/promises";
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
  for await (const entry of readEntries(path, sidecar.archive.format, { signal, recorded: sidecar.contents })) {
    // Awaited here: leaving the loop closes the archive, so `use` must be done with the entry first.
    if (entry.type === "file" && entry.name.replace(/^\.\//, "") === wanted) return await use(entry);
  }
  throw new OperationError(`${sidecar.archive.file} does not contain ${wanted}`);
}

/** Writes the dump entry to `file` (0600), for pg_restore --jobs, which seeks in its input. */
export async function extractDump(path: string, sidecar: Sidecar, file: string, onBytes?: (n: number) => void, signal?: AbortSignal): Promise<void> {
  await withDumpEntry(
    path,
    sidecar,
    async (entry) => {
      const handle = await open(file, "wx", 0o600);
      try {
        for await (const chunk of entry.body()) {
          await handle.write(chunk);
          onBytes?.(chunk.length);
        }
      } finally {
        await handle.close();
      }
    },
    signal,
  );
}
