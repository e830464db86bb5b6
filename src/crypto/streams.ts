import { Decrypter, Encrypter, type Recipient } from "age-encryption";
import type { Duplex } from "node:stream";
import { OperationError } from "../util/errors.js";
import { PayloadAuthError, PayloadDecrypter, PayloadEncrypter } from "./payload.js";
import { WebBridge } from "./web-bridge.js";

/** Who can read what is encrypted: X25519 recipients (age1…) or one passphrase (scrypt), never both (age's rule). */
export type AgeTarget = { recipients: readonly string[] } | { passphrase: string; /** log2 of scrypt's N; default 18 (age's). */ scryptWorkFactor?: number };

/** What can decrypt: identities (AGE-SECRET-KEY-1…) and passphrases, all tried. */
export interface AgeKeys {
  identities: readonly string[];
  passphrases: readonly string[];
}

const MAGIC = "age-encryption.org/v1\n";
/** No real header is this long; past it, the input is not age. */
const HEADER_MAX = 64 * 1024;
/** typage's encryption of an empty file: header, 16-byte nonce, one empty last chunk (its 16-byte tag). */
const EMPTY_PAYLOAD = 16 + 16;

/**
 * A stage after compression: plaintext in, standard age v1 out, memory bounded. To recipients the
 * header (stanzas, MAC) is typage's and the payload native (payload.ts); a passphrase goes
 * through typage whole (its scrypt recipient is not reachable from outside), pull-based
 * (web-bridge.ts).
 */
export function createEncryptStream(target: AgeTarget): Duplex {
  const encrypter = new Encrypter();
  if ("passphrase" in target) {
    encrypter.setPassphrase(target.passphrase);
    if (target.scryptWorkFactor !== undefined) encrypter.setScryptWorkFactor(target.scryptWorkFactor);
    return new WebBridge((source) => encrypter.encrypt(source));
  }
  for (const recipient of target.recipients) encrypter.addRecipient(recipient);
  return new PayloadEncrypter(async () => {
    // typage wraps the file key for each recipient; this extra one only sees it (adds no stanza).
    let fileKey: Uint8Array | null = null;
    const witness: Recipient = { wrapFileKey: (key) => ((fileKey = key), []) };
    encrypter.addRecipient(witness);
    const empty = await encrypter.encrypt(new Uint8Array(0));
    if (!fileKey) throw new Error("age: the file key was not handed to the recipients");
    return { header: empty.subarray(0, empty.length - EMPTY_PAYLOAD), fileKey };
  });
}

/**
 * age v1 in, plaintext out. The header is read first (typage unwraps the file key and checks the
 * header's MAC): a key that matches none of its stanzas fails before any plaintext is produced;
 * a truncated or altered payload fails at the damaged chunk (each 64 KiB chunk is authenticated,
 * the last one marked as last).
 */
export function createDecryptStream(keys: AgeKeys): Duplex {
  const decrypter = new Decrypter();
  for (const identity of keys.identities) decrypter.addIdentity(identity);
  for (const passphrase of keys.passphrases) decrypter.addPassphrase(passphrase);
  let parsed: Promise<{ fileKey: Uint8Array; size: number }> | null = null;
  return new PayloadDecrypter(async (head) => {
    if (parsed) return parsed;
    if (head.length >= MAGIC.length && head.subarray(0, MAGIC.length).toString("latin1") !== MAGIC) throw new Error("not an age v1 file (no age header)");
    const mac = head.indexOf("\n--- ");
    const end = mac < 0 ? -1 : head.indexOf("\n", mac + 1);
    if (end < 0) {
      if (head.length > HEADER_MAX) throw new Error("not an age v1 file (no end of header)");
      return null;
    }
    const size = end + 1;
    parsed = decrypter.decryptHeader(head.subarray(0, size)).then((fileKey) => ({ fileKey, size }));
    return parsed;
  });
}

/** typage's message → one line that says what went wrong with which file, no key material. */
export function decryptionError(err: unknown, what: string): OperationError {
  const message = err instanceof Error ? err.message : String(err);
  const reason = err instanceof PayloadAuthError
    ? message
    : /no identity matched|incorrect passphrase|failed to decrypt file key/i.test(message)
    ? "the identity given does not match any recipient it was encrypted to (wrong key)"
    : /premature|truncat|unexpected end|last chunk|empty/i.test(message)
      ? `the ciphertext is truncated (${message})`
      : /tag|authenticat|invalid|mac/i.test(message)
        ? `the ciphertext is damaged or was altered (${message})`
        : message;
  return new OperationError(`cannot decrypt ${what}: ${reason}`, { cause: err });
}
