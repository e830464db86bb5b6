import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Sidecar } from "../catalog/sidecar.js";
import { OperationError } from "../util/errors.js";

/** The archive does not match its sidecar: damaged, truncated, replaced, or the sidecar edited. */
export class IntegrityError extends OperationError {}

/**
 * Size, then sha256 of the whole file, against the sidecar. The size is checked first: a
 * truncated archive is refused without reading it.
 */
export async function checkArchiveIntegrity(path: string, sidecar: Sidecar, signal?: AbortSignal): Promise<void> {
  const info = await stat(path);
  const expected = sidecar.archive;
  if (info.size !== expected.size_bytes) {
    throw new IntegrityError(`${path} is ${info.size} bytes but its sidecar records ${expected.size_bytes}: the archive is truncated, replaced or the sidecar was edited`);
  }
  const actual = await sha256File(path, signal);
  if (actual !== expected.sha256) {
    throw new IntegrityError(`${path} has sha256 ${actual} but its sidecar records ${expected.sha256}: the archive is damaged or the sidecar was edited`);
  }
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  // 1 MiB reads: hashing runs at disk speed instead of paying per-chunk overhead.
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
