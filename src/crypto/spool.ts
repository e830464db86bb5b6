import { generateX25519Identity, identityToRecipient } from "age-encryption";
import type { Stats } from "node:fs";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Transform, type TransformCallback } from "node:stream";
import { createDecryptStream, createEncryptStream } from "./streams.js";
import type { Duplex } from "node:stream";

/**
 * A spool (a tar.gz dump waiting for its size) encrypted with a key that lives only in this
 * process's memory: the disk holds ciphertext only, and a spool left by a killed run can never
 * be read by anyone.
 */
export interface SpoolCipher {
  /** Plaintext in, ciphertext out: put between the dump and the spool file. */
  encrypt(): Duplex;
  /** Counts the plaintext on its way into encrypt(): the tar header needs the size. */
  readonly counter: ByteCounter;
  /** The spool file's stat with the plaintext size, and its plaintext bytes. */
  open(path: string): Promise<{ stat: Stats; body: AsyncIterable<Buffer> }>;
}

export class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

export async function createSpoolCipher(): Promise<SpoolCipher> {
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const counter = new ByteCounter();
  return {
    counter,
    encrypt: () => createEncryptStream({ recipients: [recipient] }),
    async open(path) {
      const info = await stat(path);
      // Same owner, mode and times as the spool file; only the size is the plaintext's.
      const plainStat = Object.assign(Object.create(Object.getPrototypeOf(info) as object) as Stats, info, { size: counter.bytes });
      const file = createReadStream(path, { highWaterMark: 1 << 20 });
      const plain = createDecryptStream({ identities: [identity], passphrases: [] });
      file.on("error", (err) => plain.destroy(err));
      file.pipe(plain);
      return { stat: plainStat, body: plain };
    },
  };
}
