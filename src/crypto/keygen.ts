import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { open } from "node:fs/promises";
import { OperationError } from "../util/errors.js";

export interface GeneratedKey {
  path: string;
  recipient: string;
}

/**
 * A new X25519 identity written to `path` (created 0600, never over an existing file) in the
 * format of age-keygen, so the stock `age -d -i` reads it. Returns the public recipient.
 */
export async function generateKeyFile(path: string, now = new Date()): Promise<GeneratedKey> {
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const text = `# created: ${now.toISOString()}\n# public key: ${recipient}\n${identity}\n`;
  let handle;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new OperationError(code === "EEXIST" ? `${path} already exists: not overwritten (a key that is replaced cannot decrypt its backups any more)` : `cannot create ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { path, recipient };
}
