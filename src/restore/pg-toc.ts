import { open, type FileHandle } from "node:fs/promises";
import { OperationError } from "../util/errors.js";

/**
 * The table of contents of a pg_dump custom-format archive, read from its header
 * (pg_backup_archiver.c: ReadHead, ReadToc; pg_backup_custom.c: _ReadExtraToc). `pg_restore
 * --list` prints the same entries but without their dependencies and with names that cannot be
 * split reliably (spaces); selective restores need both, so the archive is read here.
 */
export interface TocEntry {
  id: number;
  desc: string;
  /** Schema of the object; "" when it has none. */
  namespace: string;
  tag: string;
  owner: string;
  /** The CREATE statement (empty for TABLE DATA and the like). */
  defn: string;
  deps: number[];
}

/** Archive versions whose layout this reader knows (1.12 = PostgreSQL 9.x … 1.16 = 17). */
const MIN_VERSION = [1, 12];
const MAX_VERSION = [1, 16];

const at = (v: readonly number[]) => (v[0] ?? 0) * 100 + (v[1] ?? 0);

/** Reads bytes on demand from the start of a (possibly huge) file: the TOC sits at its head. */
class HeadReader {
  private buf = Buffer.alloc(0);
  private pos = 0;
  private fileEnd = false;
  constructor(private readonly handle: FileHandle) {}

  async bytes(n: number): Promise<Buffer> {
    while (this.buf.length - this.pos < n && !this.fileEnd) {
      const chunk = Buffer.alloc(Math.max(1 << 16, n));
      const { bytesRead } = await this.handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) this.fileEnd = true;
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk.subarray(0, bytesRead)]);
      this.pos = 0;
    }
    if (this.buf.length - this.pos < n) throw new Error("unexpected end of file");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  async byte(): Promise<number> {
    return (await this.bytes(1))[0] ?? 0;
  }
}

export async function readCustomToc(file: string): Promise<TocEntry[]> {
  const handle = await open(file, "r");
  try {
    return await parse(new HeadReader(handle));
  } catch (err) {
    if (err instanceof OperationError) throw err;
    throw new OperationError(`could not read the table of contents of the custom-format dump: ${(err as Error).message}`, { cause: err });
  } finally {
    await handle.close();
  }
}

async function parse(r: HeadReader): Promise<TocEntry[]> {
  if ((await r.bytes(5)).toString("latin1") !== "PGDMP") throw new OperationError("not a pg_dump custom-format archive (no PGDMP header)");
  const version = [await r.byte(), await r.byte(), await r.byte()];
  if (at(version) < at(MIN_VERSION) || at(version) > at(MAX_VERSION)) {
    throw new OperationError(`custom-format archive version ${version.join(".")} is not one this tool can select tables from (${MIN_VERSION.join(".")} to ${MAX_VERSION.join(".")})`);
  }
  const v = at(version);
  const intSize = await r.byte();
  const offSize = await r.byte();
  const format = await r.byte();
  if (format !== 1) throw new OperationError(`archive format ${format} is not the custom format`);
  const readInt = async (): Promise<number> => {
    const sign = await r.byte();
    const b = await r.bytes(intSize);
    let value = 0;
    for (let i = intSize - 1; i >= 0; i--) value = value * 256 + (b[i] ?? 0);
    return sign ? -value : value;
  };
  const readStr = async (): Promise<string | null> => {
    const len = await readInt();
    return len < 0 ? null : (await r.bytes(len)).toString("utf8");
  };
  if (v >= 115) await r.byte(); // compression algorithm
  else await readInt(); // compression level
  for (let i = 0; i < 7; i++) await readInt(); // creation time
  await readStr(); // database name
  await readStr(); // server version
  await readStr(); // pg_dump version

  const count = await readInt();
  const entries: TocEntry[] = [];
  for (let i = 0; i < count; i++) {
    const id = await readInt();
    await readInt(); // hadDumper
    await readStr(); // tableoid
    await readStr(); // oid
    const tag = (await readStr()) ?? "";
    const desc = (await readStr()) ?? "";
    await readInt(); // section
    const defn = (await readStr()) ?? "";
    await readStr(); // dropStmt
    await readStr(); // copyStmt
    const namespace = (await readStr()) ?? "";
    await readStr(); // tablespace
    if (v >= 114) await readStr(); // table access method
    if (v >= 116) await readInt(); // relkind
    const owner = (await readStr()) ?? "";
    await readStr(); // "false": WITH OIDS
    const deps: number[] = [];
    for (;;) {
      const dep = await readStr();
      if (dep === null) break;
      deps.push(Number(dep));
    }
    await r.byte(); // data state
    await r.bytes(offSize); // data offset
    entries.push({ id, desc, namespace, tag, owner, defn, deps });
  }
  return entries;
}

/**
 * Cross-check against `pg_restore --list` (the authority): each of its lines starts with
 * "<id>; <oid> <oid> <desc> ". A mismatch means this reader misread the layout.
 */
export function matchesList(entries: readonly TocEntry[], list: string): boolean {
  // --list leaves out entries that a restore without --create skips (DATABASE, ENCODING…).
  const lines = list.split("\n").filter((l) => /^\d+;/.test(l));
  if (lines.length === 0) return false;
  const byId = new Map(entries.map((e) => [e.id, e]));
  return lines.every((line) => {
    const m = /^(\d+); \d+ \d+ (.*)$/.exec(line);
    const e = m ? byId.get(Number(m[1])) : undefined;
    return e !== undefined && (m?.[2] ?? "").startsWith(`${e.desc} `);
  });
}
