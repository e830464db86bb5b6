import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/**
 * Counts and hashes the bytes of an upload as they leave, so what is verified is what was sent:
 * sha256 (the sidecar's checksum) and md5 (what S3 reports as the ETag of a single-part object).
 */
export class UploadDigest extends Transform {
  private readonly sha = createHash("sha256");
  private readonly md5: Hash | undefined;
  bytes = 0;

  constructor(options: { md5?: boolean } = {}) {
    super();
    this.md5 = options.md5 ? createHash("md5") : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sha.update(chunk);
    this.md5?.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  /** Call once, after the stream ended. */
  result(): { bytes: number; sha256: string; md5: string | undefined } {
    return { bytes: this.bytes, sha256: this.sha.digest("hex"), md5: this.md5?.digest("hex") };
  }
}
