import { mkdir, readdir, rm, stat, symlink } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentsOf, handTarGz, handZip, writeArchiveWithSidecar, type HandEntry } from "../fixtures/archives/build.js";
import { runCli } from "../helpers/cli.js";
import { writeStoreConfig } from "../helpers/store-config.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * Archives built to hurt whoever restores them: decompression bombs whose sidecar was forged to
 * claim small sizes, names holding terminal escapes, symlinks standing in for archives and
 * sidecars. Each is restored and verified through the CLI; nothing may be written.
 */
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
let folder: string;

const BOMB = 100 * 1024 * 1024;
const zeros = Buffer.alloc(BOMB);

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-hostile-"));
  config = await writeStoreConfig(dir, []);
  folder = join(dir, "store", "db01", "files-7");
  await mkdir(folder, { recursive: true });
});
afterAll(() => cleanup());

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

describe.each(["zip", "tar.gz"] as const)("a %s bomb with a sidecar forged to claim 1000 bytes", (format) => {
  it("restore refuses it before writing; verify stops at the recorded size", async () => {
    const archive = join(folder, `files-7_bomb_20260101T000000000Z_abc123.${format}`);
    const entries: HandEntry[] = [{ name: "ok.txt", data: "fine" }, { name: "bomb.bin", data: zeros, deflate: true }];
    const bytes = format === "zip" ? handZip(entries) : handTarGz(entries);
    expect(bytes.length).toBeLessThan(1024 * 1024);
    await writeArchiveWithSidecar(archive, bytes, { contents: [{ name: "ok.txt", size: 4, type: "file" }, { name: "bomb.bin", size: 1000, type: "file" }] });
    const target = join(dir, `target-bomb-${format}`);

    const restored = await runCli(["-c", config, "restore", "--file", archive, "--target", target]);
    expect(restored.exitCode, String(restored.stderr)).toBe(1);
    expect(String(restored.stderr)).toMatch(/archive entry "bomb\.bin" holds 104857600 bytes, but its sidecar records 1000 \(a decompression bomb or a forged archive\): refused; nothing was restored/);
    expect(await exists(target)).toBe(false);

    const verified = await runCli(["-c", config, "verify", "--file", archive]);
    expect(verified.exitCode).toBe(1);
    expect(String(verified.stdout)).toMatch(/FAIL readable: archive entry "bomb\.bin" holds 104857600 bytes, but its sidecar records 1000 \(a decompression bomb or a forged archive\): not read/);
  });
});

describe("free space at the target", () => {
  let mount: string;
  beforeAll(async () => {
    mount = join(dir, "small");
    await mkdir(mount);
    await execa("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mount]);
  });
  afterAll(async () => {
    await execa("umount", [mount]).catch(() => undefined);
  });

  it("an archive whose recorded contents do not fit is refused before anything is written", async () => {
    const entries: HandEntry[] = [{ name: "a.txt", data: "a" }, { name: "big.bin", data: Buffer.alloc(3 * 1024 * 1024), deflate: true }];
    const archive = join(folder, "files-7_big_20260101T000000000Z_abc123.zip");
    await writeArchiveWithSidecar(archive, handZip(entries), { contents: contentsOf(entries) });
    const result = await runCli(["-c", config, "restore", "--file", archive, "--target", join(mount, "t")]);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(String(result.stderr)).toMatch(/the archive holds 3\.0 MiB in 2 entries, but .*small\/t has only [\d.]+ (KiB|MiB) free \(with a margin of [\d.]+ (KiB|MiB)\); nothing was restored/);
    expect(await readdir(mount)).toEqual([]);
  });
});

describe("hostile names", () => {
  it.each([
    { format: "zip" as const, name: "a\nb.txt", shown: String.raw`"a\nb.txt"` },
    { format: "tar.gz" as const, name: "\u001b[2Jclear.txt", shown: String.raw`"\u001b[2Jclear.txt"` },
  ])("a name holding a control character ($shown, $format) is refused by restore and verify, escaped", async ({ format, name, shown }) => {
    const entries: HandEntry[] = [{ name: "fine.txt", data: "ok" }, { name, data: "x" }];
    const archive = join(folder, `files-7_ctl_20260101T000000000Z_abc123.${format}`);
    await writeArchiveWithSidecar(archive, format === "zip" ? handZip(entries) : handTarGz(entries), { contents: contentsOf(entries) });
    const target = join(dir, `target-ctl-${format}`);
    const reason = `unsafe archive entry ${shown}: the name contains a control character`;

    const restored = await runCli(["-c", config, "restore", "--file", archive, "--target", target]);
    expect(restored.exitCode).toBe(1);
    expect(String(restored.stderr)).toContain(reason);
    expect(String(restored.stderr)).not.toContain(name);
    expect(await exists(target)).toBe(false);

    const verified = await runCli(["-c", config, "verify", "--file", archive]);
    expect(verified.exitCode).toBe(1);
    expect(String(verified.stdout)).toContain(`FAIL contents: ${reason}`);
    expect(String(verified.stdout)).not.toContain(name);
  });
});

describe("symlinks standing in for archives and sidecars", () => {
  it("are refused by restore and verify", async () => {
    const elsewhere = join(dir, "elsewhere");
    await mkdir(elsewhere);
    const entries: HandEntry[] = [{ name: "a.txt", data: "a" }];
    const real = join(elsewhere, "files-7_real_20260101T000000000Z_abc123.zip");
    await writeArchiveWithSidecar(real, handZip(entries), { contents: contentsOf(entries) });

    // The archive is a symlink (its sidecar a real file naming it).
    const linkedArchive = join(folder, "files-7_real_20260101T000000000Z_abc123.zip");
    await symlink(real, linkedArchive);
    await execa("cp", [`${real}.json`, `${linkedArchive}.json`]);
    for (const args of [["restore", "--file", linkedArchive, "--target", join(dir, "t-link-a")], ["verify", "--file", linkedArchive]]) {
      const result = await runCli(["-c", config, ...args]);
      expect(result.exitCode, String(result.stderr)).toBe(1);
      expect(`${String(result.stdout)}${String(result.stderr)}`).toMatch(/files-7_real_20260101T000000000Z_abc123\.zip is a symlink: refused/);
    }
    expect(await exists(join(dir, "t-link-a"))).toBe(false);

    // The sidecar is a symlink (the archive a real file).
    await rm(linkedArchive);
    await rm(`${linkedArchive}.json`);
    await execa("cp", [real, linkedArchive]);
    await symlink(`${real}.json`, `${linkedArchive}.json`);
    for (const args of [["restore", "--file", linkedArchive, "--target", join(dir, "t-link-s")], ["verify", "--file", linkedArchive]]) {
      const result = await runCli(["-c", config, ...args]);
      expect(result.exitCode, String(result.stderr)).toBe(1);
      expect(`${String(result.stdout)}${String(result.stderr)}`).toMatch(/files-7_real_20260101T000000000Z_abc123\.zip\.json is a symlink: refused/);
    }
    expect(await exists(join(dir, "t-link-s"))).toBe(false);
  });
});
