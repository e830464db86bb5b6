import { randomBytes } from "node:crypto";
import { chmod, copyFile, lstat, mkdir, readdir, readFile, readlink, symlink, truncate, utimes, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { handZip, writeArchiveWithSidecar } from "../fixtures/archives/build.js";
import { runCli } from "../helpers/cli.js";
import { writeStoreConfig } from "../helpers/store-config.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * Files round trips through the real CLI: backup, list, restore, then the restored tree is
 * compared with the source itself (bytes, modes, mtimes, names, empty dirs, symlinks).
 */
let dir: string;
let cleanup: () => Promise<void>;
let src: string;
let config: string;
const archives: Record<string, string> = {};

const T = (iso: string) => new Date(iso);

async function makeTree(root: string): Promise<void> {
  const file = async (name: string, data: string | Buffer, mode: number, mtime: string) => {
    const path = join(root, name);
    await writeFile(path, data);
    await chmod(path, mode);
    await utimes(path, T(mtime), T(mtime));
  };
  await mkdir(join(root, "ünïcödé 名前"), { recursive: true });
  await mkdir(join(root, "bin"));
  await mkdir(join(root, "empty"));
  await mkdir(join(root, "private"));
  await file("a.txt", "hello\n", 0o640, "2020-02-03T04:05:06Z");
  await file("ünïcödé 名前/файл ✓.bin", Buffer.from([0, 1, 2, 255, 254, 10, 13]), 0o600, "2019-12-31T23:59:58Z");
  await file("bin/run.sh", "#!/bin/sh\necho ok\n", 0o755, "2021-06-01T10:00:00Z");
  await file("private/big.dat", randomBytes(3 * 1024 * 1024), 0o600, "2022-01-01T00:00:02Z");
  await file(".hidden", "dot\n", 0o644, "2022-01-01T00:00:04Z");
  await symlink("a.txt", join(root, "link-rel"));
  await symlink("/etc/hostname", join(root, "link-abs"));
  await chmod(join(root, "empty"), 0o750);
  await chmod(join(root, "private"), 0o700);
  for (const [name, when] of [["empty", "2018-05-05T05:05:06Z"], ["private", "2018-06-06T06:06:06Z"], ["bin", "2018-07-07T07:07:08Z"], ["ünïcödé 名前", "2018-08-08T08:08:08Z"]] as const) {
    await utimes(join(root, name), T(when), T(when));
  }
}

interface Node {
  type: "file" | "dir" | "symlink";
  mode: number;
  mtime: number;
  content?: string;
  link?: string;
}

async function snapshot(root: string): Promise<Map<string, Node>> {
  const out = new Map<string, Node>();
  for (const name of await readdir(root, { recursive: true })) {
    const path = join(root, name);
    const info = await lstat(path);
    const node: Node = { type: info.isSymbolicLink() ? "symlink" : info.isDirectory() ? "dir" : "file", mode: info.mode & 0o7777, mtime: Math.floor(info.mtimeMs / 1000) };
    if (node.type === "file") node.content = (await readFile(path)).toString("base64");
    if (node.type === "symlink") node.link = await readlink(path);
    out.set(relative(root, path), node);
  }
  return out;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-restore-files-"));
  src = join(dir, "src");
  await mkdir(src);
  await makeTree(src);
  config = await writeStoreConfig(dir, [
    { id: 3, name: "tree-tgz", type: "files", paths: [src], archive: "tar.gz" },
    { id: 4, name: "tree-zip", type: "files", paths: [src], archive: "zip" },
  ]);
  const backup = await runCli(["-c", config, "--json", "backup"]);
  expect(backup.exitCode, String(backup.stderr)).toBe(0);
  const report = JSON.parse(String(backup.stdout)) as { units: { instance: { name: string }; archive: string }[] };
  for (const unit of report.units) archives[unit.instance.name] = unit.archive;
});
afterAll(() => cleanup());

describe.each([
  ["tar.gz", "tree-tgz"],
  ["zip", "tree-zip"],
] as const)("files restore round trip (%s)", (format, instance) => {
  it("list shows the backup; restore by that name gives the same tree", async () => {
    const list = await runCli(["-c", config, "list", "-i", instance]);
    expect(list.exitCode, String(list.stderr)).toBe(0);
    const name = (archives[instance] ?? "").split("/").pop() ?? "";
    expect(String(list.stdout)).toContain(name);

    const target = join(dir, `restored-${instance}`);
    const result = await runCli(["-c", config, "restore", "--file", name, "--target", target]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toContain(`into ${target}`);

    const before = await snapshot(src);
    const after = await snapshot(join(target, relative("/", src)));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [path, node] of before) {
      const restored = after.get(path);
      // zips store a symlink's time only in its extra fields; its target is what matters.
      if (format === "zip" && node.type === "symlink") expect({ ...restored, mtime: 0 }, path).toEqual({ ...node, mtime: 0 });
      else if (node.type === "symlink") expect({ ...restored, mode: 0 }, path).toEqual({ ...node, mode: 0 });
      else expect(restored, path).toEqual(node);
    }
  });

  it("to the original locations: refuses to overwrite without --force, then overwrites with it", async () => {
    const name = (archives[instance] ?? "").split("/").pop() ?? "";
    await writeFile(join(src, "a.txt"), "changed since the backup\n");
    const refused = await runCli(["-c", config, "restore", "--file", name]);
    expect(refused.exitCode).toBe(1);
    expect(String(refused.stderr)).toMatch(/exist already .*--force.*nothing was restored/s);
    expect(await readFile(join(src, "a.txt"), "utf8")).toBe("changed since the backup\n");

    const forced = await runCli(["-c", config, "restore", "--file", name, "--force"]);
    expect(forced.exitCode, String(forced.stderr)).toBe(0);
    expect(await readFile(join(src, "a.txt"), "utf8")).toBe("hello\n");
    const info = await lstat(join(src, "a.txt"));
    expect(info.mode & 0o7777).toBe(0o640);
    expect(info.mtime.toISOString()).toBe("2020-02-03T04:05:06.000Z");
  });

  it("--json reports what was restored", async () => {
    const target = join(dir, `json-${instance}`);
    const result = await runCli(["-c", config, "--json", "restore", "--file", archives[instance] ?? "", "--target", target]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout)) as { ok: boolean; kind: string; files: { files: number; symlinks: number; bytes: number } };
    expect(report.ok).toBe(true);
    expect(report.kind).toBe("files");
    expect(report.files.files).toBe(5);
    expect(report.files.symlinks).toBe(2);
    expect(report.files.bytes).toBe(3 * 1024 * 1024 + 6 + 7 + 18 + 4);
  });
});

describe("a damaged archive is refused by restore and verify, and nothing is written", () => {
  const variants = [
    { name: "one byte flipped", damage: async (archive: string) => {
      const bytes = await readFile(archive);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      await writeFile(archive, bytes);
    }, message: /sha256 [0-9a-f]{64} but its sidecar records/ },
    { name: "truncated", damage: async (archive: string) => truncate(archive, 100), message: /is 100 bytes but its sidecar records/ },
    { name: "sidecar edited (sha256)", damage: async (archive: string) => {
      const sidecar = JSON.parse(await readFile(`${archive}.json`, "utf8")) as { archive: { sha256: string } };
      sidecar.archive.sha256 = "0".repeat(64);
      await writeFile(`${archive}.json`, JSON.stringify(sidecar));
    }, message: /but its sidecar records 0{64}/ },
    { name: "sidecar edited (size)", damage: async (archive: string) => {
      const sidecar = JSON.parse(await readFile(`${archive}.json`, "utf8")) as { archive: { size_bytes: number } };
      sidecar.archive.size_bytes += 1;
      await writeFile(`${archive}.json`, JSON.stringify(sidecar));
    }, message: /bytes but its sidecar records/ },
  ];
  it.each(variants.flatMap((v) => (["tree-tgz", "tree-zip"] as const).map((instance) => ({ ...v, instance }))))("$name ($instance)", async ({ name, damage, message, instance }) => {
    const original = archives[instance] ?? "";
    const copyDir = join(dir, "damaged", `${instance}-${name.replace(/\W+/g, "-")}`);
    await mkdir(copyDir, { recursive: true });
    const archive = join(copyDir, original.split("/").pop() ?? "");
    await copyFile(original, archive);
    await copyFile(`${original}.json`, `${archive}.json`);
    await damage(archive);

    const target = join(copyDir, "target");
    const restore = await runCli(["-c", config, "restore", "--file", archive, "--target", target]);
    expect(restore.exitCode).toBe(1);
    expect(String(restore.stderr)).toMatch(message);
    expect(await readdir(target).catch(() => "absent")).toBe("absent");

    const verify = await runCli(["-c", config, "verify", "--file", archive]);
    expect(verify.exitCode).toBe(1);
    expect(String(verify.stdout)).toMatch(/FAIL checksum/);
    expect(String(verify.stdout)).toMatch(message);
  });
});

describe("a files restore failing midway", () => {
  it("removes what it had created (a damaged entry found only while writing)", async () => {
    // The zip's central directory is fine, so every check before writing passes; the second
    // file's bytes fail their CRC only when they are written.
    const bytes = handZip([{ name: "d/first.txt", data: "first file" }, { name: "d/second.txt", data: "second file" }]);
    const at = bytes.indexOf(Buffer.from("second file"));
    bytes[at] = "S".charCodeAt(0);
    const folder = join(dir, "midway");
    await mkdir(folder, { recursive: true });
    const archive = join(folder, "files-7_20260101T000000000Z_abc123.zip");
    await writeArchiveWithSidecar(archive, bytes, { contents: [{ name: "d/first.txt", size: 10, type: "file" }, { name: "d/second.txt", size: 11, type: "file" }] });
    const target = join(folder, "target");
    const result = await runCli(["-c", config, "restore", "--file", archive, "--target", target]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/files restore failed midway; the 2 paths it had created were removed, and the directory \S+target it had created: .*second\.txt fails its CRC-32 check/);
    // The target did not exist before: it does not exist after.
    expect(await readdir(target).then(() => "exists", () => "gone")).toBe("gone");
  });
});
