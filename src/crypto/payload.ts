import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/**
 * age v1's payload (the STREAM construction) on Node's own ChaCha20-Poly1305 (OpenSSL): the
 * header and its key wrapping stay typage's (streams.ts); the bulk bytes go through native code,
 * which is what keeps an encrypted backup close to the time of a plain one (pure-JS ChaCha20
 * measured ~65 MB/s here). Spec: https://age-encryption.org/v1 "Payload".
 */
const CHUNK = 64 * 1024;
const TAG = 16;
const SEALED = CHUNK + TAG;
export const NONCE_SIZE = 16;

/** The payload key: HKDF-SHA-256(ikm = file key, salt = nonce, info = "payload"). */
export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync("sha256", fileKey, nonce, "payload", 32));
}

/** 11-byte big-endian chunk counter, then 0x01 for the last chunk, 0x00 otherwise. */
function chunkNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

export class PayloadAuthError extends Error {}

/** Encrypts: `prefix()` (header) once, the 16-byte nonce, then every 64 KiB chunk sealed; the last marked last. */
export class PayloadEncrypter extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private counter = 0;
  private started = false;

  constructor(private readonly prefix: () => Promise<{ header: Uint8Array; fileKey: Uint8Array }>) {
    super();
  }

  private key: Buffer | null = null;

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { header, fileKey } = await this.prefix();
    const nonce = randomBytes(NONCE_SIZE);
    this.key = payloadKey(fileKey, nonce);
    this.push(Buffer.from(header));
    this.push(nonce);
  }

  private seal(plain: Buffer, last: boolean): Buffer {
    const cipher = createCipheriv("chacha20-poly1305", this.key as Buffer, chunkNonce(this.counter++, last), { authTagLength: TAG });
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.start().then(() => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      // Keep up to one whole chunk back: only the end of the input says which chunk is last.
      let offset = 0;
      while (this.pending.length - offset > CHUNK) {
        this.push(this.seal(this.pending.subarray(offset, offset + CHUNK), false));
        offset += CHUNK;
      }
      this.pending = Buffer.from(this.pending.subarray(offset));
      callback();
    }, callback);
  }

  override _flush(callback: TransformCallback): void {
    this.start().then(() => {
      this.push(this.seal(this.pending, true));
      callback();
    }, callback);
  }
}

/** Decrypts what follows the header: the nonce, then each sealed chunk, authenticating every one. */
export class PayloadDecrypter extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private counter = 0;
  private key: Buffer | null = null;

  /** `header` reads the header from the start of the input and returns the file key and how many bytes it took; null: need more. */
  constructor(private readonly header: (head: Buffer) => Promise<{ fileKey: Uint8Array; size: number } | null>) {
    super();
  }

  private open(sealed: Buffer, last: boolean): Buffer {
    const decipher = createDecipheriv("chacha20-poly1305", this.key as Buffer, chunkNonce(this.counter, last), { authTagLength: TAG });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    try {
      const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
      this.counter++;
      return plain;
    } catch (err) {
      throw new PayloadAuthError(`chunk ${this.counter + 1} fails authentication${last ? " as the last chunk" : ""}: the ciphertext is truncated, damaged or was altered`, { cause: err });
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.advance().then(() => callback(), callback);
  }

  private async advance(): Promise<void> {
    if (!this.key) {
      const parsed = await this.header(this.pending);
      if (!parsed || this.pending.length < parsed.size + NONCE_SIZE) return;
      this.key = payloadKey(parsed.fileKey, this.pending.subarray(parsed.size, parsed.size + NONCE_SIZE));
      this.pending = this.pending.subarray(parsed.size + NONCE_SIZE);
    }
    let offset = 0;
    while (this.pending.length - offset > SEALED) {
      this.push(this.open(this.pending.subarray(offset, offset + SEALED), false));
      offset += SEALED;
    }
    this.pending = Buffer.from(this.pending.subarray(offset));
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (!this.key) throw new PayloadAuthError("the file ends inside its age header: truncated");
      if (this.pending.length < TAG) throw new PayloadAuthError("the payload is truncated (no last chunk)");
      // An empty last chunk is valid only when the whole payload is empty.
      if (this.pending.length === TAG && this.counter > 0) throw new PayloadAuthError("the payload ends with an empty chunk after data: truncated or altered");
      this.push(this.open(this.pending, true));
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}
