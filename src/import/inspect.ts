import { open } from "node:fs/promises";
import type { Sidecar } from "../catalog/sidecar.js";
import { readEntries, type ArchiveFormat } from "../restore/entries.js";
import { entrySegments } from "../restore/entry-path.js";
import { OperationError } from "../util/errors.js";
import { readArchiveFully } from "../verify/readable.js";
import { HEAD_BYTES, identifyDump, type DumpIdentity } from "./dump-header.js";

/** What a foreign archive holds, read end to end (every zip CRC-32 checked, every tar header parsed). */
export interface Inspection {
  contents: Sidecar["contents"];
  /** For a database archive: its one dump entry and what its header says. */
  dump: { entry: string; identity: DumpIdentity; tail: Buffer } | null;
}

/** zip or tar.gz by the file's first bytes, not by its name. */
export async function sniffFormat(path: string): Promise<ArchiveFormat> {
  const handle = await open(path, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    const magic = buffer.subarray(0, bytesRead);
    if (magic.equals(Buffer.from("PK\x03\x04", "latin1"))) return "zip";
    if (magic[0] === 0x1f && magic[1] === 0x8b) return "tar.gz";
    throw new OperationError(`${path} is neither a zip nor a gzip-compressed tar archive (it starts with ${magic.toString("hex") || "nothing"})`);
  } finally {
    await handle.close();
  }
}

/**
 * Reads the whole archive once: damage, unsafe entry names (the ones restore refuses) and, for
 * a database archive, the dump's identity and tail. Throws with the reason; nothing is written.
 */
export async function inspectForeign(path: string, format: ArchiveFormat, kind: "database" | "files", signal?: AbortSignal): Promise<Inspection> {
  const read = await readArchiveFully(path, format, () => kind === "database", signal);
  const contents: Sidecar["contents"] = [];
  for (const entry of read.entries) {
    // The same name rules as restore: an archive it would refuse is not adopted either.
    entrySegments(entry.name);
    if (entry.type === "other") throw new OperationError(`${path}: entry ${JSON.stringify(entry.name)} is a device, FIFO or socket, which restore cannot recreate`);
    if (entry.type === "file" || entry.type === "directory" || entry.type === "symlink") contents.push({ name: entry.name, size: entry.size, type: entry.type });
    // A hard link's body is the file it names: recorded as an empty file, as restore sees it.
    else contents.push({ name: entry.name, size: 0, type: "file" });
  }
  if (kind === "files") return { contents, dump: null };

  const files = read.entries.filter((e) => e.type === "file");
  const only = files[0];
  if (files.length !== 1 || !only) {
    throw new OperationError(`${path} holds ${files.length} files; a database archive of the old tool holds exactly one dump (<database>.sql)`);
  }
  const head = await readHead(path, format, only.name, signal);
  const identity = identifyDump(head);
  if (!identity) throw new OperationError(`${only.name} in ${path} does not start like a mysqldump, mariadb-dump or pg_dump output`);
  return { contents, dump: { entry: only.name, identity, tail: read.tails.get(only.name) ?? Buffer.alloc(0) } };
}

async function readHead(path: string, format: ArchiveFormat, name: string, signal?: AbortSignal): Promise<Buffer> {
  for await (const entry of readEntries(path, format, { signal })) {
    if (entry.name !== name) continue;
    let head = Buffer.alloc(0);
    for await (const chunk of entry.body()) {
      head = Buffer.concat([head, chunk]);
      if (head.length >= HEAD_BYTES) break;
    }
    return head.subarray(0, HEAD_BYTES);
  }
  return Buffer.alloc(0);
}
