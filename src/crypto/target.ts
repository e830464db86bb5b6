import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Config, Instance } from "../config/schema.js";
import { ConfigError } from "../util/errors.js";
import type { AgeTarget } from "./streams.js";

/** What the sidecar records about an archive's encryption: never a secret. */
export interface EncryptionRecord {
  algorithm: "age-v1";
  /** X25519: sha256 fingerprints of the recipients (public keys); scrypt: the passphrase was used. */
  recipients: { type: "X25519" | "scrypt"; fingerprint: string | null }[];
}

export interface EncryptionPlan {
  target: AgeTarget;
  record: EncryptionRecord;
}

const RECIPIENT = /^age1[02-9ac-hj-np-z]+$/;

/** The instance's own block replaces the global one; `false` turns encryption off for it. */
export function encryptionConfigOf(config: Config, instance: Instance): Config["encryption"] | undefined {
  if (instance.encryption === false) return undefined;
  return instance.encryption ?? config.encryption;
}

/** A recipient's fingerprint: enough to tell keys apart in a sidecar, and to find which key opens it. */
export function recipientFingerprint(recipient: string): string {
  return `sha256:${createHash("sha256").update(recipient).digest("hex").slice(0, 16)}`;
}

/**
 * The instance's encryption, or null when it has none: recipients from the list and the file
 * (read now, so a missing file fails before any dump), or the passphrase.
 */
export async function encryptionPlan(config: Config, instance: Instance): Promise<EncryptionPlan | null> {
  const age = encryptionConfigOf(config, instance)?.age;
  if (!age) return null;
  if (age.passphrase !== undefined) {
    return { target: { passphrase: age.passphrase }, record: { algorithm: "age-v1", recipients: [{ type: "scrypt", fingerprint: null }] } };
  }
  const recipients = [...age.recipients];
  if (age.recipients_file) recipients.push(...(await readRecipientsFile(age.recipients_file)));
  if (recipients.length === 0) throw new ConfigError([`encryption.age.recipients_file: ${age.recipients_file} holds no recipient`]);
  const unique = [...new Set(recipients)];
  return {
    target: { recipients: unique },
    record: { algorithm: "age-v1", recipients: unique.map((r) => ({ type: "X25519", fingerprint: recipientFingerprint(r) })) },
  };
}

/** One recipient per line, blank lines and # comments ignored (the format of `age -R`). */
export async function readRecipientsFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ConfigError([`encryption.age.recipients_file: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`], undefined, { cause: err });
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  const bad = lines.findIndex((l) => !RECIPIENT.test(l));
  if (bad >= 0) throw new ConfigError([`encryption.age.recipients_file: ${path}: line "${lines[bad]?.slice(0, 20)}…" is not an age X25519 recipient (age1…)`]);
  return lines;
}
