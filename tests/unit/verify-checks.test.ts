import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogEntry } from "../../src/catalog/list.js";
import { sidecarSchema, type Sidecar } from "../../src/catalog/sidecar.js";
import { trailerProblem } from "../../src/verify/dump-check.js";
import { latestRun } from "../../src/verify/latest.js";
import { parseRunRecordKey, runRecordKey } from "../../src/catalog/run-record.js";
import { compareContents, readArchiveFully } from "../../src/verify/readable.js";
import { compareTables } from "../../src/verify/table-compare.js";
import { handTarGz, handZip } from "../fixtures/archives/build.js";
import { makeTempDir } from "../helpers/tmp.js";

function sidecar(fields: Partial<Sidecar> & { instanceType?: "postgres" | "mysql" | "files" }): Sidecar {
  return sidecarSchema.parse({
    format_version: 1,
    backup_id: "b",
    run_id: fields.run_id ?? "r1",
    status: "completed",
    server: { name: "s" },
    instance: { id: 1, name: "i", type: fields.instanceType ?? "postgres" },
    kind: fields.kind ?? "database",
    database: "db",
    patterns: null,
    archive: { file: "x.zip", format: "zip", size_bytes: 1, sha256: "0".repeat(64), compression: { algorithm: "deflate", level: 6 } },
    started_at: fields.started_at ?? "2026-01-01T00:00:00Z",
    completed_at: "2026-01-01T00:00:00Z",
    duration_ms: 1,
    dump_tool: null,
    dump_format: fields.dump_format ?? "plain",
    source_server_version: null,
    tool: { name: "t", version: "1" },
    contents: fields.contents ?? [],
    warnings: [],
  });
}

describe("dump completion lines", () => {
  const pg = sidecar({});
  it("pg_dump, with or without the \\unrestrict line", () => {
    expect(trailerProblem(pg, Buffer.from("...\n--\n-- PostgreSQL database dump complete\n--\n\n"))).toBeNull();
    expect(trailerProblem(pg, Buffer.from("...\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict abcDEF123\n\n"))).toBeNull();
    expect(trailerProblem(pg, Buffer.from("COPY public.items (id) FROM stdin;\n1\n2\n"))).toMatch(/does not end with "-- PostgreSQL database dump complete" but with "2": it was cut short/);
    expect(trailerProblem(pg, undefined)).toMatch(/cut short/);
  });
  it("pg_dumpall globals and mysqldump", () => {
    expect(trailerProblem(sidecar({ kind: "globals" }), Buffer.from("--\n-- PostgreSQL database cluster dump complete\n--\n\n"))).toBeNull();
    expect(trailerProblem(sidecar({ kind: "globals" }), Buffer.from("--\n-- PostgreSQL database dump complete\n--\n"))).toMatch(/cluster dump complete/);
    const my = sidecar({ instanceType: "mysql" });
    expect(trailerProblem(my, Buffer.from("/*!40101 SET x */;\n\n-- Dump completed on 2026-11-21  5:55:00\n"))).toBeNull();
    expect(trailerProblem(my, Buffer.from("INSERT INTO t VALUES (1);\n"))).toMatch(/Dump completed/);
  });
  it("custom dumps and files have no trailer to check", () => {
    expect(trailerProblem(sidecar({ dump_format: "custom" }), Buffer.from("PGDMP"))).toBeNull();
    expect(trailerProblem(sidecar({ instanceType: "files", kind: "files", dump_format: "files" }), undefined)).toBeNull();
  });
});

describe("comparisons", () => {
  it("restored tables against the sidecar's estimates", () => {
    const recorded = [
      { schema: "public", name: "a", rows_estimate: 1000 },
      { schema: "public", name: "b", rows_estimate: null },
      { schema: "public", name: "c", rows_estimate: 0 },
    ];
    const ok = compareTables(recorded, new Map([["public.a", 990], ["public.b", 5], ["public.c", 7]]));
    expect(ok.problems).toEqual([]);
    expect(ok.notes).toEqual(["public.a: 990 rows (estimate at backup 1000)", "public.c: 7 rows (estimate at backup 0)"]);
    const bad = compareTables(recorded, new Map([["public.a", 3], ["public.x", 1]]));
    expect(bad.problems).toEqual(["missing after restore: public.b, public.c", "not recorded at backup: public.x", "public.a: 3 rows restored, about 1000 at backup"]);
  });

  it("archive entries against the sidecar's contents", () => {
    const s = sidecar({ contents: [{ name: "a", size: 3, type: "file" }, { name: "d", size: 0, type: "directory" }] });
    expect(compareContents(s, [{ name: "a", type: "file", size: 3 }, { name: "d/", type: "directory", size: 0 }])).toEqual([]);
    expect(compareContents(s, [{ name: "./a", type: "file", size: 4 }, { name: "e", type: "file", size: 1 }])).toEqual([
      "a holds 4 bytes, the sidecar records 3",
      "d is in the sidecar but not in the archive",
      "e is in the archive but not in the sidecar",
    ]);
  });

  it("--latest takes every archive of the newest run of the instance", () => {
    const entry = (name: string, run: string, time: string, id = 1): CatalogEntry => ({
      name, key: name, storage: "local", location: name, state: "complete", size: 1, problem: null, time,
      sidecar: { ...sidecar({ run_id: run, started_at: time }), instance: { id, name: `i${id}`, type: "postgres" } },
    });
    const entries = [entry("old_a", "r1", "2026-01-01T00:00:00Z"), entry("new_b", "r2", "2026-02-01T00:00:01Z"), entry("new_a", "r2", "2026-02-01T00:00:00Z"), entry("other", "r3", "2026-03-01T00:00:00Z", 2)];
    expect(latestRun(entries, { id: 1, name: "i1" }, null)?.archives.map((e) => e.name)).toEqual(["new_a", "new_b"]);
    expect(latestRun(entries, { id: 2, name: "i2" }, null)?.archives.map((e) => e.name)).toEqual(["other"]);
    expect(latestRun(entries, { id: 9, name: "i9" }, null)).toBeNull();

    // A safety backup is not a run.
    const safety = { ...entry("safety", "r9", "2026-04-01T00:00:00Z"), sidecar: { ...sidecar({ run_id: "r9", started_at: "2026-04-01T00:00:00Z" }), purpose: "safety" as const, instance: { id: 1, name: "i1", type: "postgres" as const } } };
    expect(latestRun([...entries, safety], { id: 1, name: "i1" }, null)?.runId).toBe("r2");

    // A newer archive whose sidecar is corrupt: its run (from the name) is the newest, and it is verified.
    const corrupt: CatalogEntry = { name: "i1_db_20260301T000000000Z_abcdef.zip", key: "s/i1/db/i1_db_20260301T000000000Z_abcdef.zip", storage: "local", location: "x", state: "corrupt", size: 1, sidecar: null, problem: "sidecar is not valid JSON", time: "2026-03-05T00:00:00Z" };
    const latest = latestRun([...entries, corrupt], { id: 1, name: "i1" }, null);
    expect(latest).toMatchObject({ runId: "abcdef", startedAt: "2026-03-01T00:00:00.000Z", problems: [] });
    expect(latest?.archives.map((e) => e.name)).toEqual([corrupt.name]);
  });

  it("--latest compares the newest run with its run record: a planned unit without an archive is named", () => {
    const a: CatalogEntry = {
      name: "i1_a_20260201T000000000Z_r2.zip", key: "s/i1/a/i1_a_20260201T000000000Z_r2.zip", storage: "local", location: "x", state: "complete", size: 1, problem: null, time: "t",
      sidecar: { ...sidecar({ run_id: "r2", started_at: "2026-02-01T00:00:01Z" }), instance: { id: 1, name: "i1", type: "postgres" } },
    };
    const units = [{ kind: "database", database: "a", directory: "s/i1/a" }, { kind: "database", database: "b", directory: "s/i1/b" }];
    const record = { key: "s/.runs/i1/20260201T000000000Z_r2.json", runId: "r2", startedAt: "2026-02-01T00:00:00.000Z", ok: true as const,
      record: { format_version: 1, run_id: "r2", started_at: "2026-02-01T00:00:00.000Z", server: "s", instance: { id: 1, name: "i1", type: "postgres" }, units } };
    const latest = latestRun([a], { id: 1, name: "i1" }, record);
    expect(latest?.archives.map((e) => e.name)).toEqual([a.name]);
    expect(latest?.problems).toEqual(["no archive of database b from this run in s/i1/b/: the run was interrupted or failed before finishing it"]);
    // A newer run that wrote nothing at all (interrupted in its first unit) is still the newest.
    const empty = { ...record, key: "s/.runs/i1/20260301T000000000Z_r3.json", runId: "r3", startedAt: "2026-03-01T00:00:00.000Z", record: { ...record.record, run_id: "r3" } };
    expect(latestRun([a], { id: 1, name: "i1" }, empty)).toMatchObject({ runId: "r3", archives: [], problems: [expect.stringMatching(/database a/), expect.stringMatching(/database b/)] });
  });
});

describe("reading archives end to end", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir("vya-readable-")));
  afterAll(() => cleanup());

  it("a zip whose entry fails its CRC is refused", async () => {
    const bytes = handZip([{ name: "a.txt", data: "hello world" }]);
    const at = bytes.indexOf(Buffer.from("hello"));
    bytes[at] = "j".charCodeAt(0);
    const path = join(dir, "crc.zip");
    await writeFile(path, bytes);
    await expect(readArchiveFully(path, "zip", () => false)).rejects.toThrow(/a\.txt fails its CRC-32 check/);
  });

  it("a tar.gz cut inside the gzip stream is refused", async () => {
    const bytes = handTarGz([{ name: "a.txt", data: "x".repeat(100_000) }]);
    const path = join(dir, "cut.tar.gz");
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(readArchiveFully(path, "tar.gz", () => false)).rejects.toThrow(/unreadable/);
  });

  it("a tar.gz whose tar ends inside an entry (gzip intact) is refused, not waited on", async () => {
    const tar = gunzipSync(handTarGz([{ name: "a.txt", data: "y".repeat(10_000) }]));
    const path = join(dir, "short.tar.gz");
    await writeFile(path, gzipSync(tar.subarray(0, 512 + 4000)));
    await expect(readArchiveFully(path, "tar.gz", () => false)).rejects.toThrow(/unreadable|truncated/i);
  });

  it("keeps the tail of the dump entry only", async () => {
    const path = join(dir, "ok.tar.gz");
    await writeFile(path, handTarGz([{ name: "db.sql", data: `${"z".repeat(10_000)}\n-- end\n` }, { name: "other", data: "o" }]));
    const read = await readArchiveFully(path, "tar.gz", (name) => name === "db.sql");
    expect(read.entries.map((e) => [e.name, e.size])).toEqual([["db.sql", 10_008], ["other", 1]]);
    expect(read.tails.get("db.sql")?.toString().endsWith("-- end\n")).toBe(true);
    expect(read.tails.get("db.sql")?.length).toBe(4096);
    expect(read.tails.has("other")).toBe(false);
  });
});

describe("run records", () => {
  it("live beside the instance folders, and their key gives run id and start time", () => {
    const key = runRecordKey("db01", "pg-main", new Date("2026-01-21T03:15:00.123Z"), "4f9a2c");
    expect(key).toBe("db01/.runs/pg-main/20260121T031500123Z_4f9a2c.json");
    expect(parseRunRecordKey(key)).toEqual({ runId: "4f9a2c", startedAt: "2026-01-21T03:15:00.123Z" });
    expect(parseRunRecordKey("db01/pg-main/x.zip.json")).toBeNull();
  });
});
