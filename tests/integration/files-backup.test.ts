import { readFile, readdir, stat, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { sidecarSchema } from "../../src/catalog/sidecar.js";
import { readTarGz, sha256File, walkFiles } from "../helpers/archives.js";
import { runCli } from "../helpers/cli.js";
import { makeFilesTree } from "../helpers/files-tree.js";
import { makeTempDir } from "../helpers/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
let src: string;
const rel = (p: string) => p.replace(/^\//, "");

async function writeConfig(name: string, instance: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, stringify({ server: { name: "db01" }, storage: { local: { path: join(dir, "backups") } }, instances: [instance], ...extra }));
  return file;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  src = join(dir, "src");
  await makeFilesTree(src);
});
afterAll(() => cleanup());

describe("files backup (tar.gz)", () => {
  it("archives exactly the matched files, byte-identical, with a sidecar holding sha256 and size", async () => {
    const config = await writeConfig("files.yaml", {
      id: 3,
      name: "app-files",
      type: "files",
      paths: [`${src}/volumes/**/*`, `${src}/app/config/*.{yaml,json}`],
      exclude: ["**/*.log"],
    });
    const result = await runCli(["-c", config, "backup"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);

    const outDir = join(dir, "backups", "db01", "app-files");
    const produced = await readdir(outDir);
    const archives = produced.filter((f) => f.endsWith(".tar.gz"));
    expect(archives).toHaveLength(1);
    expect(produced.filter((f) => f.includes(".partial"))).toEqual([]);
    const archive = join(outDir, archives[0] as string);
    expect(produced).toContain(`${archives[0]}.json`);

    const entries = await readTarGz(archive);
    const expected = [
      "app/config/app.yaml",
      "app/config/db.json",
      "volumes/data",
      "volumes/data/.hidden",
      "volumes/data/abs-link",
      "volumes/data/deep",
      "volumes/data/deep/er",
      "volumes/data/deep/er/file.dat",
      "volumes/data/empty-dir",
      "volumes/data/link-to-config",
      "volumes/data/ünïcödé 名前.bin",
      "volumes/logs",
    ].map((p) => rel(join(src, p)));
    expect([...entries.keys()].sort()).toEqual(expected.sort());

    // Byte-identical content, kept modes and mtimes, symlinks stored as symlinks.
    for (const path of await walkFiles(src)) {
      const entry = entries.get(rel(path));
      if (path.endsWith(".log") || path.endsWith("notes.txt")) {
        expect(entry).toBeUndefined();
        continue;
      }
      expect(entry?.content?.equals(await readFile(path)), path).toBe(true);
      const info = await stat(path);
      expect(entry?.mode).toBe(info.mode & 0o7777);
      expect(Math.floor((entry?.mtime ?? 0) / 1000)).toBe(Math.floor(info.mtimeMs / 1000));
    }
    expect(entries.get(rel(join(src, "volumes/data/link-to-config")))).toMatchObject({ type: "SymbolicLink", linkpath: "../../app/config/app.yaml" });
    expect(entries.get(rel(join(src, "volumes/data/abs-link")))).toMatchObject({ type: "SymbolicLink", linkpath: "/etc/hostname" });
    expect(entries.get(rel(join(src, "app/config/app.yaml")))?.mode).toBe(0o640);

    const sidecar = sidecarSchema.parse(JSON.parse(await readFile(`${archive}.json`, "utf8")));
    const info = await stat(archive);
    expect(sidecar.archive.sha256).toBe(await sha256File(archive));
    expect(sidecar.archive.size_bytes).toBe(info.size);
    expect(sidecar.archive.file).toBe(archives[0]);
    expect(sidecar).toMatchObject({ status: "completed", kind: "files", database: null, server: { name: "db01" }, instance: { id: 3, name: "app-files", type: "files" } });
    expect(sidecar.patterns?.exclude).toEqual(["**/*.log"]);
    expect(sidecar.contents.find((c) => c.name === rel(join(src, "volumes/data/deep/er/file.dat")))?.size).toBe(300_000);
    expect(info.mode & 0o777).toBe(0o600);
    expect((await stat(outDir)).mode & 0o777).toBe(0o700);
  });

  it("gives two runs in a row two distinct archives", async () => {
    const config = await writeConfig("twice.yaml", { id: 4, type: "files", paths: [`${src}/app/config/*.yaml`] });
    // Started together: the run lock lets one wait for the other (--lock-wait), and both get their own archive.
    const [a, b] = await Promise.all([runCli(["-c", config, "backup", "--lock-wait", "2m"]), runCli(["-c", config, "backup", "--lock-wait", "2m"])]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    const files = (await readdir(join(dir, "backups", "db01", "files-4"))).filter((f) => f.endsWith(".tar.gz"));
    expect(files).toHaveLength(2);
  });

  it("treats a literal directory as its whole tree", async () => {
    const config = await writeConfig("literal.yaml", { id: 5, type: "files", paths: [`${src}/app`] });
    const result = await runCli(["-c", config, "--json", "backup"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout));
    const entries = await readTarGz(report.units[0].archive);
    expect(entries.has(rel(join(src, "app/config/notes.txt")))).toBe(true);
  });
});

describe("files backup (zip)", () => {
  it("writes a zip whose entries and bytes match the sources", async () => {
    const config = await writeConfig("zip.yaml", { id: 6, type: "files", archive: "zip", paths: [`${src}/volumes/data/**`], exclude: ["**/*.log"] });
    const result = await runCli(["-c", config, "--json", "backup"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout));
    const archive = report.units[0].archive as string;
    expect(archive.endsWith(".zip")).toBe(true);
    const { execa } = await import("execa");
    const listing = await execa("python3", ["-c", "import sys,zipfile,json; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({i.filename: z.read(i).hex() for i in z.infolist()}))", archive]);
    const zipped = JSON.parse(listing.stdout) as Record<string, string>;
    const bin = rel(join(src, "volumes/data/ünïcödé 名前.bin"));
    expect(zipped[bin]).toBe((await readFile(join(src, "volumes/data/ünïcödé 名前.bin"))).toString("hex"));
    expect(zipped[rel(join(src, "volumes/data/deep/er/file.dat"))]).toBe(Buffer.from("x".repeat(300_000)).toString("hex"));
    expect(Object.keys(zipped).some((k) => k.endsWith(".log"))).toBe(false);
    expect(report.units[0].sha256).toBe(await sha256File(archive));
  });
});

describe("files backup failures", () => {
  it("fails an instance whose patterns match nothing, and still runs the others", async () => {
    const config = join(dir, "nomatch.yaml");
    await writeFile(
      config,
      stringify({
        server: { name: "db01" },
        storage: { local: { path: join(dir, "backups-nomatch") } },
        instances: [
          { id: 1, type: "files", paths: [`${src}/does-not-exist/**/*`] },
          { id: 2, type: "files", paths: [`${src}/app/config/*.json`] },
        ],
      }),
    );
    const result = await runCli(["-c", config, "--json", "backup"]);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout));
    expect(report.ok).toBe(false);
    expect(report.units.find((u: { instance: { id: number } }) => u.instance.id === 1)).toMatchObject({ status: "failed" });
    expect(report.units.find((u: { instance: { id: number } }) => u.instance.id === 1).error).toContain("no file matches");
    expect(report.units.find((u: { instance: { id: number } }) => u.instance.id === 2)).toMatchObject({ status: "success" });
    const failedDir = join(dir, "backups-nomatch", "db01", "files-1");
    await expect(readdir(failedDir)).rejects.toThrow(/ENOENT/);
  });

  it("exits 2 listing the valid instances for an unknown -i", async () => {
    const config = await writeConfig("unknown.yaml", { id: 7, name: "web", type: "files", paths: [`${src}/app/**`] });
    const result = await runCli(["-c", config, "backup", "-i", "nope"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown instance "nope"; valid: 7 (web)');
  });

  it("--dry-run prints the plan and writes nothing", async () => {
    const backups = join(dir, "backups-dry");
    const config = join(dir, "dry.yaml");
    await writeFile(config, stringify({ server: { name: "db01" }, storage: { local: { path: backups } }, instances: [{ id: 8, type: "files", paths: [`${src}/app/**`] }] }));
    const result = await runCli(["-c", config, "backup", "--dry-run"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("dry run");
    expect(result.stdout).toContain("files-8");
    expect(result.stdout).toContain(backups);
    await expect(stat(backups)).rejects.toThrow(/ENOENT/);
  });

  it("leaves earlier backups untouched when a later run fails", async () => {
    const backups = join(dir, "backups-keep");
    const data = join(dir, "keep-src");
    await mkdir(data, { recursive: true });
    await writeFile(join(data, "f.txt"), "v1");
    const config = join(dir, "keep.yaml");
    await writeFile(config, stringify({ server: { name: "db01" }, storage: { local: { path: backups } }, instances: [{ id: 9, type: "files", paths: [`${data}/*`] }] }));
    expect((await runCli(["-c", config, "backup"])).exitCode).toBe(0);
    // The failed run adds its run record under .runs/ (so verify --latest sees it failed); archives and sidecars stay as they were.
    const backupFiles = async () => (await walkFiles(backups)).filter((f) => !f.includes("/.runs/"));
    const before = await backupFiles();
    const hashes = await Promise.all(before.map(sha256File));
    await writeFile(config, stringify({ server: { name: "db01" }, storage: { local: { path: backups } }, instances: [{ id: 9, type: "files", paths: [`${data}/none-*`] }] }));
    expect((await runCli(["-c", config, "backup"])).exitCode).toBe(1);
    expect(await backupFiles()).toEqual(before);
    expect(await Promise.all(before.map(sha256File))).toEqual(hashes);
  });
});
