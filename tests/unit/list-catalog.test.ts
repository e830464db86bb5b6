import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterCatalog, parseSince } from "../../src/catalog/filter.js";
import { listCatalog, type CatalogEntry } from "../../src/catalog/list.js";
import { parseSidecar } from "../../src/catalog/read.js";
import { LocalStorage } from "../../src/storage/local.js";
import { handZip, writeArchiveWithSidecar } from "../fixtures/archives/build.js";
import { makeTempDir } from "../helpers/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
let entries: CatalogEntry[];

async function archive(key: string, fields: Record<string, unknown> = {}, startedAt?: string): Promise<void> {
  const path = join(dir, key);
  await mkdir(join(path, ".."), { recursive: true });
  await writeArchiveWithSidecar(path, handZip([{ name: "x.sql", data: "-- Dump completed\n" }]), fields);
  if (startedAt) {
    const { readFile } = await import("node:fs/promises");
    const sidecar = JSON.parse(await readFile(`${path}.json`, "utf8")) as Record<string, unknown>;
    await writeFile(`${path}.json`, JSON.stringify({ ...sidecar, started_at: startedAt }));
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-list-"));
  const pg = { kind: "database", instance: { id: 1, name: "pg-main", type: "postgres" } };
  await archive("db01/pg-main/shop/pg-main_shop_20260101T000000000Z_aaaaaa.zip", { ...pg, database: "shop" }, "2026-01-01T00:00:00.000Z");
  await archive("db01/pg-main/shop/pg-main_shop_20260301T000000000Z_bbbbbb.zip", { ...pg, database: "shop" }, "2026-03-01T00:00:00.000Z");
  await archive("db01/pg-main/crm/pg-main_crm_20260201T000000000Z_cccccc.zip", { ...pg, database: "crm" }, "2026-02-01T00:00:00.000Z");
  await archive("db01/files-3/files-3_20260215T000000000Z_dddddd.tar.gz", { instance: { id: 3, name: "files-3", type: "files" } }, "2026-02-15T00:00:00.000Z");
  // No sidecar, a partial write, a corrupt sidecar, a sidecar naming another archive, a sidecar alone.
  await writeFile(join(dir, "db01/pg-main/shop/pg-main_shop_20260401T000000000Z_eeeeee.zip"), "zip without sidecar");
  await writeFile(join(dir, "db01/pg-main/shop/.pg-main_shop_20260402T000000000Z_ffffff.zip.0a1b2c3d.partial"), "half");
  await writeFile(join(dir, "db01/pg-main/shop/pg-main_shop_20260403T000000000Z_gggggg.zip"), "zip");
  await writeFile(join(dir, "db01/pg-main/shop/pg-main_shop_20260403T000000000Z_gggggg.zip.json"), "{ not json");
  await archive("db01/pg-main/shop/pg-main_shop_20260404T000000000Z_hhhhhh.zip", { ...pg, database: "shop" });
  const { readFile } = await import("node:fs/promises");
  const moved = join(dir, "db01/pg-main/shop/pg-main_shop_20260404T000000000Z_hhhhhh.zip.json");
  const other = JSON.parse(await readFile(moved, "utf8")) as { archive: { file: string } };
  other.archive.file = "someone-else.zip";
  await writeFile(moved, JSON.stringify(other));
  await writeFile(join(dir, "db01/pg-main/shop/pg-main_shop_20260405T000000000Z_iiiiii.zip.json"), "{}");
  await writeFile(join(dir, "db01/notes.txt"), "ignored");
  entries = await listCatalog(new LocalStorage(dir));
});
afterAll(() => cleanup());

const names = (list: readonly CatalogEntry[]) => list.map((e) => `${e.state}:${e.name}`);
const none = { instances: [], databases: [], since: null, all: false };

describe("listCatalog + filterCatalog", () => {
  it("classifies every archive, sidecar and partial; corrupt ones carry the reason", () => {
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get("pg-main_shop_20260401T000000000Z_eeeeee.zip")?.state).toBe("incomplete");
    expect(byName.get("pg-main_shop_20260402T000000000Z_ffffff.zip")?.problem).toMatch(/unfinished write/);
    expect(byName.get("pg-main_shop_20260403T000000000Z_gggggg.zip")?.problem).toMatch(/not valid JSON/);
    expect(byName.get("pg-main_shop_20260404T000000000Z_hhhhhh.zip")?.problem).toMatch(/describes someone-else\.zip/);
    expect(byName.get("pg-main_shop_20260405T000000000Z_iiiiii.zip")?.state).toBe("missing-archive");
    expect(entries.some((e) => e.name === "notes.txt")).toBe(false);
  });

  it("newest first; incomplete only with --all; problems always shown", () => {
    const shown = names(filterCatalog(entries, none)).filter((n) => n.startsWith("complete"));
    expect(shown).toEqual([
      "complete:pg-main_shop_20260301T000000000Z_bbbbbb.zip",
      "complete:files-3_20260215T000000000Z_dddddd.tar.gz",
      "complete:pg-main_crm_20260201T000000000Z_cccccc.zip",
      "complete:pg-main_shop_20260101T000000000Z_aaaaaa.zip",
    ]);
    expect(names(filterCatalog(entries, none)).filter((n) => n.startsWith("incomplete"))).toEqual([]);
    expect(names(filterCatalog(entries, none)).filter((n) => n.startsWith("corrupt"))).toHaveLength(2);
    expect(names(filterCatalog(entries, { ...none, all: true })).filter((n) => n.startsWith("incomplete"))).toHaveLength(2);
  });

  it("filters by instance (id or name), database and since", () => {
    const complete = (f: Parameters<typeof filterCatalog>[1]) => names(filterCatalog(entries, f)).filter((n) => n.startsWith("complete"));
    expect(complete({ ...none, instances: ["3"] })).toEqual(["complete:files-3_20260215T000000000Z_dddddd.tar.gz"]);
    expect(complete({ ...none, instances: ["pg-main"], databases: ["crm"] })).toEqual(["complete:pg-main_crm_20260201T000000000Z_cccccc.zip"]);
    expect(complete({ ...none, since: new Date("2026-02-10T00:00:00Z") })).toHaveLength(2);
  });
});

describe("parseSince and parseSidecar", () => {
  it("takes dates and ages", () => {
    const now = new Date("2026-05-10T12:00:00Z");
    expect(parseSince("7d", now).toISOString()).toBe("2026-05-03T12:00:00.000Z");
    expect(parseSince("36h", now).toISOString()).toBe("2026-05-09T00:00:00.000Z");
    expect(parseSince("2w", now).toISOString()).toBe("2026-04-26T12:00:00.000Z");
    expect(parseSince("2026-01-31").toISOString()).toBe("2026-01-31T00:00:00.000Z");
    expect(() => parseSince("yesterday")).toThrow(/neither a date .* nor an age/);
  });

  it("rejects a sidecar that does not fit the format, and names the field", () => {
    const bad = parseSidecar(JSON.stringify({ format_version: 1 }), "x.zip");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problem).toMatch(/does not match the sidecar format \(backup_id/);
  });
});
