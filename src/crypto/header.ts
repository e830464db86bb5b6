import { open } from "node:fs/promises";
import { OperationError } from "../util/errors.js";

const MAGIC = "age-encryption.org/v1\n";
/** A header with many stanzas still fits; more means this is not an age header. */
const HEADER_MAX = 64 * 1024;

export interface AgeHeader {
  /** Stanza types in order: "X25519", "scrypt", … */
  stanzas: string[];
}

/**
 * The age v1 header, checked without any key: the version line, well-formed stanzas and the
 * MAC line (its value needs the file key, so verify without a key cannot check it).
 */
export async function readAgeHeader(path: string): Promise<AgeHeader> {
  const handle = await open(path, "r");
  let text: string;
  try {
    const buffer = Buffer.alloc(HEADER_MAX);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_MAX, 0);
    text = buffer.subarray(0, bytesRead).toString("latin1");
  } finally {
    await handle.close();
  }
  return parseAgeHeader(text, path);
}

export function parseAgeHeader(text: string, path: string): AgeHeader {
  if (!text.startsWith(MAGIC)) throw new OperationError(`${path} does not start with an age v1 header: it is not an encrypted archive, or it was altered`);
  const end = text.indexOf("\n--- ");
  if (end < 0) throw new OperationError(`${path}: the age header has no MAC line ("--- …"): truncated or altered`);
  const macLine = text.slice(end + 5, text.indexOf("\n", end + 5));
  if (!/^[A-Za-z0-9+/]{43}$/.test(macLine)) throw new OperationError(`${path}: the age header's MAC line is malformed`);
  const stanzas = [...text.slice(MAGIC.length, end + 1).matchAll(/^-> (\S+)/gm)].map((m) => m[1] as string);
  if (stanzas.length === 0) throw new OperationError(`${path}: the age header holds no recipient stanza`);
  return { stanzas };
}
