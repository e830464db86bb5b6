import { finished } from "node:stream/promises";
import { decompressedFile, type CompressionAlgorithm } from "../archive/compressor.js";
import { OperationError } from "../util/errors.js";
import type { ArchiveEntry, ReadOptions } from "./entries.js";

/**
 * A lone compressed stream (`<db>.sql.zst`) read as an archive of one entry. The stream stores
 * no name and no size, so both come from the sidecar (`options.recorded`); the body is checked
 * against that size and against the stream's own checksum (zstd's content checksum, checked by
 * the decompressor at the end of the frame). As in the zip reader, the last chunk is held back
 * until both passed: a client fed from here never reaches EOF on a damaged dump.
 */
export async function* readLoneEntry(path: string, algorithm: CompressionAlgorithm, options: ReadOptions): AsyncGenerator<ArchiveEntry> {
  const files = (options.recorded ?? []).filter((e) => (e.type ?? "file") === "file");
  const recorded = files[0];
  if (files.length !== 1 || !recorded) throw new OperationError(`a .${algorithm === "zstd" ? "zst" : "gz"} archive holds one dump, but its sidecar lists ${files.length} files`);
  yield {
    name: recorded.name,
    type: "file",
    mode: null,
    mtime: null,
    size: recorded.size,
    linkTarget: null,
    uid: null,
    gid: null,
    crc32: null,
    body: () => loneBody(path, algorithm, recorded, options.signal),
  };
}

async function* loneBody(path: string, algorithm: CompressionAlgorithm, recorded: { name: string; size: number }, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const decompressor = decompressedFile(path, algorithm);
  const abort = () => decompressor.destroy(signal?.reason instanceof Error ? signal.reason : new Error("interrupted"));
  signal?.addEventListener("abort", abort, { once: true });
  const fed = finished(decompressor);
  fed.catch(() => undefined);
  let bytes = 0;
  let held: Buffer | null = null;
  try {
    for await (const chunk of decompressor) {
      bytes += (chunk as Buffer).length;
      if (bytes > recorded.size) break;
      if (held) yield held;
      held = chunk as Buffer;
    }
    await fed;
  } catch (err) {
    throw new OperationError(`${recorded.name}: the ${algorithm} stream is damaged or cut short (${(err as Error).message})`, { cause: err });
  } finally {
    signal?.removeEventListener("abort", abort);
    decompressor.destroy();
  }
  if (bytes !== recorded.size) {
    throw new OperationError(`${recorded.name} holds ${bytes > recorded.size ? "more than" : bytes} bytes, its sidecar records ${recorded.size}: the archive is damaged`);
  }
  if (held) yield held;
}
