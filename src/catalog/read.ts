import { basename } from "node:path";
import type { Storage } from "../storage/storage.js";
import { SIDECAR_SUFFIX } from "./naming.js";
import { sidecarSchema, type Sidecar } from "./sidecar.js";

/** A sidecar read from storage: parsed and checked, or the reason it cannot be trusted. */
export type SidecarRead = { ok: true; sidecar: Sidecar } | { ok: false; problem: string };

/** Parses a sidecar's text and checks it names the archive it sits beside. Never throws. */
export function parseSidecar(text: string, archiveName: string): SidecarRead {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `sidecar is not valid JSON (${(err as Error).message})` };
  }
  const parsed = sidecarSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    return { ok: false, problem: `sidecar does not match the sidecar format (${first})` };
  }
  if (parsed.data.archive.file !== archiveName) {
    return { ok: false, problem: `sidecar describes ${parsed.data.archive.file}, not ${archiveName}` };
  }
  return { ok: true, sidecar: parsed.data };
}

/** Reads `<archiveKey>.json`; a missing or unreadable sidecar is a problem, not an exception. */
export async function readSidecar(storage: Storage, archiveKey: string): Promise<SidecarRead> {
  const key = `${archiveKey}${SIDECAR_SUFFIX}`;
  let text: string;
  try {
    text = (await readWhole(storage, key)).toString("utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "NoSuchKey") return { ok: false, problem: "no sidecar: not a complete backup (an interrupted run or a foreign file)" };
    if (code === "ELOOP") return { ok: false, problem: `sidecar ${storage.describe(key)} is a symlink: refused (a sidecar is read only from a regular file, never through a link)` };
    return { ok: false, problem: `cannot read sidecar ${storage.describe(key)}: ${code ?? (err as Error).message}` };
  }
  return parseSidecar(text, basename(archiveKey));
}

/** A small object read whole: the backend's own way when it has one, else through `get`. */
export async function readWhole(storage: Storage, key: string): Promise<Buffer> {
  if (storage.readWhole) return storage.readWhole(key);
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
