import type { Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";

/** 1 MiB per read: flat memory, the same speed as larger reads. */
const CHUNK = 1024 * 1024;

/** How the file differed, while it was read, from the size and mtime it had when opened. */
export type BodyChange = { kind: "grew" } | { kind: "shrank"; read: number } | { kind: "modified" };

/**
 * The bytes of an open regular file, exactly `stat.size` of them (the size fstat gave when the
 * file was opened): a file that grows is cut at that size, one that shrinks is padded with zeros.
 * Either way the archive stays well-formed and the entry matches its recorded size; `onChange`
 * is told so the caller can warn, naming the file.
 */
export async function* readFileBody(handle: FileHandle, stat: Stats, onChange: (change: BodyChange) => void): AsyncGenerator<Buffer> {
  let position = 0;
  while (position < stat.size) {
    const want = Math.min(CHUNK, stat.size - position);
    const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(want), 0, want, position);
    if (bytesRead === 0) {
      onChange({ kind: "shrank", read: position });
      yield* zeros(stat.size - position);
      return;
    }
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
  const after = await handle.stat();
  const probe = await handle.read(Buffer.alloc(1), 0, 1, position);
  if (probe.bytesRead > 0 || after.size > stat.size) onChange({ kind: "grew" });
  else if (after.mtimeMs !== stat.mtimeMs || after.size !== stat.size) onChange({ kind: "modified" });
}

function* zeros(count: number): Generator<Buffer> {
  for (let left = count; left > 0; left -= CHUNK) yield Buffer.alloc(Math.min(CHUNK, left));
}
