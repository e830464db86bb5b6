import { readFile } from "node:fs/promises";
import type { Config } from "../config/schema.js";
import { OperationError, UsageError } from "../util/errors.js";
import type { AgeKeys } from "./streams.js";

const IDENTITY = /^AGE-SECRET-KEY-1[0-9A-Z]+$/;

/** The identities in an identity file's text (age-keygen's format: # comments, one key per line). */
export function parseIdentities(text: string, where: string): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  if (lines.length === 0) throw new UsageError(`${where} holds no age identity (AGE-SECRET-KEY-1…)`);
  // The key itself is never quoted: only where the bad line is.
  const bad = lines.findIndex((l) => !IDENTITY.test(l));
  if (bad >= 0) throw new UsageError(`${where}: line ${bad + 1} of its keys is not an age X25519 identity (AGE-SECRET-KEY-1…)`);
  return lines;
}

/**
 * The keys verify and restore try: `--identity FILE`, `encryption.identity` (global and per
 * instance, already resolved from its secret reference) and any configured passphrase.
 */
export async function loadAgeKeys(config: Config, identityFile?: string): Promise<AgeKeys> {
  const identities: string[] = [];
  const passphrases: string[] = [];
  if (identityFile) {
    let text: string;
    try {
      text = await readFile(identityFile, "utf8");
    } catch (err) {
      throw new UsageError(`--identity ${identityFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
    }
    identities.push(...parseIdentities(text, `--identity ${identityFile}`));
  }
  const blocks = [config.encryption, ...config.instances.map((i) => (i.encryption === false ? undefined : i.encryption))];
  for (const block of blocks) {
    if (block?.identity) identities.push(...parseIdentities(block.identity, "encryption.identity"));
    if (block?.age?.passphrase) passphrases.push(block.age.passphrase);
  }
  return { identities: [...new Set(identities)], passphrases: [...new Set(passphrases)] };
}

export function hasKeys(keys: AgeKeys | undefined): keys is AgeKeys {
  return keys !== undefined && keys.identities.length + keys.passphrases.length > 0;
}

/** Reading an encrypted archive's contents without any key: a clear refusal, nothing touched. */
export class MissingKeyError extends OperationError {
  constructor(what: string) {
    super(`${what} is encrypted (age): give its identity with --identity FILE or encryption.identity in the config; nothing was changed`);
  }
}
