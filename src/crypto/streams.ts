import { Decrypter, Encrypter } from "age-encryption";
import { OperationError } from "../util/errors.js";
import { WebBridge } from "./web-bridge.js";

/** Who can read what is encrypted: X25519 recipients (age1…) or one passphrase (scrypt), never both (age's rule). */
export type AgeTarget = { recipients: readonly string[] } | { passphrase: string; /** log2 of scrypt's N; default 18 (age's). */ scryptWorkFactor?: number };

/** What can decrypt: identities (AGE-SECRET-KEY-1…) and passphrases, all tried. */
export interface AgeKeys {
  identities: readonly string[];
  passphrases: readonly string[];
}

/** A Transform-like stage: plaintext in, standard age v1 out, memory bounded (web-bridge.ts). */
export function createEncryptStream(target: AgeTarget): WebBridge {
  const encrypter = new Encrypter();
  if ("passphrase" in target) {
    encrypter.setPassphrase(target.passphrase);
    if (target.scryptWorkFactor !== undefined) encrypter.setScryptWorkFactor(target.scryptWorkFactor);
  }
  else for (const recipient of target.recipients) encrypter.addRecipient(recipient);
  return new WebBridge((source) => encrypter.encrypt(source));
}

/**
 * age v1 in, plaintext out. The header is read first: a key that matches none of its stanzas
 * fails before any plaintext is produced; a truncated or altered payload fails at the damaged
 * chunk (every 64 KiB chunk is authenticated, the last one marked as last).
 */
export function createDecryptStream(keys: AgeKeys): WebBridge {
  const decrypter = new Decrypter();
  for (const identity of keys.identities) decrypter.addIdentity(identity);
  for (const passphrase of keys.passphrases) decrypter.addPassphrase(passphrase);
  return new WebBridge((source) => decrypter.decrypt(source));
}

/** typage's message → one line that says what went wrong with which file, no key material. */
export function decryptionError(err: unknown, what: string): OperationError {
  const message = err instanceof Error ? err.message : String(err);
  const reason = /no identity matched|incorrect passphrase|failed to decrypt file key/i.test(message)
    ? "the identity given does not match any recipient it was encrypted to (wrong key)"
    : /premature|truncat|unexpected end|last chunk|empty/i.test(message)
      ? `the ciphertext is truncated (${message})`
      : /tag|authenticat|invalid|mac/i.test(message)
        ? `the ciphertext is damaged or was altered (${message})`
        : message;
  return new OperationError(`cannot decrypt ${what}: ${reason}`, { cause: err });
}
