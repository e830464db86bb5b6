import { mkdir, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { writeStoreConfig } from "../helpers/store-config.js";
import { makeTempDir } from "../helpers/tmp.js";

/** list / restore-list through the CLI over real backups plus the debris a real storage collects. */
let dir: string;
let cleanup: () => Promise<void>;
let config: string;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-list-cli-"));
  const src = join(dir, "src");
  await writeFile(join(dir, "placeholder"), "");
  await mkdir(src);
  await writeFile(join(src, "f.txt"), "file\n");
  config = await writeStoreConfig(dir, [
    { id: 3, name: "tree-a", type: "files", paths: [src] },
    { id: 4, name: "tree-b", type: "files", paths: [src], archive: "zip" },
  ]);
  for (let i = 0; i < 2; i++) {
    const backup = await runCli(["-c", config, "backup"]);
    expect(backup.exitCode, String(backup.stderr)).toBe(0);
  }
  const folder = join(dir, "store", "db01", "tree-a");
  const [first] = (await readdir(folder)).filter((n) => n.endsWith(".tar.gz")).sort();
  await writeFile(join(folder, `${first}.json`), "{ broken");
  await writeFile(join(folder, "tree-a_20200101T000000000Z_zzzzzz.tar.gz"), "no sidecar");
});
afterAll(() => cleanup());

describe("list", () => {
  it("shows the backups newest first; a corrupt sidecar on its line; exit 0", async () => {
    const result = await runCli(["-c", config, "list"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const lines = String(result.stdout).trim().split("\n");
    expect(lines[0]).toMatch(/^date \(UTC\)\s+instance\s+database\s+size\s+archive\s+note$/);
    // A long note wraps onto continuation lines (tables fit 100 columns): a row starts at column 0.
    const rows = lines.slice(1, -1).filter((l) => !/^\s/.test(l));
    expect(rows).toHaveLength(4);
    expect(rows.filter((r) => /CORRUPT/.test(r))).toHaveLength(1);
    expect(String(result.stdout).replace(/\s+/g, " ")).toContain("CORRUPT SIDECAR: sidecar is not valid JSON");
    expect(rows.filter((r) => r.includes("(files)"))).toHaveLength(3);
    const dates = rows.map((r) => r.slice(0, 20));
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(lines.at(-1)).toMatch(/3 backups, 1 with problems in /);
    expect(String(result.stdout)).not.toContain("zzzzzz");
  });

  it("restore-list -i NAME filters; --all adds archives without a sidecar, marked incomplete", async () => {
    const result = await runCli(["-c", config, "restore-list", "-i", "tree-b"]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).not.toContain("tree-a_");
    expect(String(result.stdout).match(/tree-b_\S+\.zip/g)).toHaveLength(2);
    const all = await runCli(["-c", config, "list", "-i", "tree-a", "--all"]);
    expect(String(all.stdout).replace(/\s+/g, " ")).toMatch(/tree-a_20200101T000000000Z_zzzzzz\.tar\.gz INCOMPLETE: no sidecar/);
  });

  it("--json: each sidecar with the archive's name and location", async () => {
    const result = await runCli(["-c", config, "--json", "list", "-i", "4"]);
    const entries = JSON.parse(String(result.stdout)) as { name: string; location: string; instance: { id: number }; archive: { sha256: string; file: string } }[];
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      expect(entry.instance.id).toBe(4);
      expect(entry.archive.file).toBe(entry.name);
      expect(entry.location).toBe(join(dir, "store", "db01", "tree-b", entry.name));
      expect(entry.archive.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("--since in the future lists nothing; bad --since and unknown storage exit 2", async () => {
    const none = await runCli(["-c", config, "list", "--since", "2999-01-01"]);
    expect(String(none.stdout)).toMatch(/no backups found in/);
    expect((await runCli(["-c", config, "list", "--since", "soon"])).exitCode).toBe(2);
    const storage = await runCli(["-c", config, "list", "--storage", "nas"]);
    expect(storage.exitCode).toBe(2);
    expect(String(storage.stderr)).toMatch(/unknown storage "nas"; valid: local/);
  });
});

describe("list shows the damage it can see without reading archives", () => {
  it("an archive whose size differs from its sidecar is DAMAGED; a sidecar without its archive is ARCHIVE MISSING", async () => {
    const { dir: own, cleanup: done } = await makeTempDir("vya-list-damage-");
    try {
      const src = join(own, "src");
      await mkdir(src);
      await writeFile(join(src, "f.txt"), "file\n".repeat(1000));
      const cfg = await writeStoreConfig(own, [{ id: 5, name: "tree-c", type: "files", paths: [src] }]);
      for (let i = 0; i < 3; i++) expect((await runCli(["-c", cfg, "backup"])).exitCode).toBe(0);
      const folder = join(own, "store", "db01", "tree-c");
      const [cut, gone, good] = (await readdir(folder)).filter((n) => n.endsWith(".tar.gz")).sort();
      await truncate(join(folder, cut ?? ""), 20);
      await rm(join(folder, gone ?? ""));

      const result = await runCli(["-c", cfg, "list"]);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const out = String(result.stdout);
      const flat = out.replace(/\s+/g, " "); // notes wrap in the 100-column table
      expect(flat).toMatch(new RegExp(`${cut} DAMAGED: the archive is 20 bytes, its sidecar records \\d+`));
      expect(flat).toMatch(new RegExp(`${gone} ARCHIVE MISSING: sidecar without its archive`));
      expect(out).toMatch(new RegExp(`${good}\\s*\\n`));
      expect(out.trim().split("\n").at(-1)).toMatch(/^1 backup, 2 with problems in /);
      const json = JSON.parse(String((await runCli(["-c", cfg, "--json", "list"])).stdout)) as { name: string; state?: string; problem?: string }[];
      expect(json.find((e) => e.name === cut)).toMatchObject({ state: "damaged", problem: expect.stringMatching(/20 bytes/) as unknown });
      expect(json.find((e) => e.name === good)?.state).toBe("complete");
    } finally {
      await done();
    }
  });
});
