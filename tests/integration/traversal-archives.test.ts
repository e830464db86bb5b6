import { mkdir, readdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentsOf, handTarGz, handZip, writeArchiveWithSidecar, type HandEntry } from "../fixtures/archives/build.js";
import { runCli } from "../helpers/cli.js";
import { writeStoreConfig } from "../helpers/store-config.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * Archives that try to write outside the restore target. Each is built byte by byte, given a
 * sidecar that matches it (so the checksum passes and the path checks are what refuses it),
 * and restored through the CLI. Nothing may appear outside the target, and nothing inside it.
 * verify of the same archive fails with the reason restore gave.
 */
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
let outside: string;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-traversal-"));
  config = await writeStoreConfig(dir, []);
  outside = join(dir, "outside");
  await mkdir(outside);
});
afterAll(() => cleanup());

const cases: { name: string; entries: (outside: string) => HandEntry[]; zipRefusedBy?: RegExp }[] = [
  { name: "../x", entries: () => [{ name: "fine.txt", data: "ok" }, { name: "../outside/dotdot.txt", data: "pwned" }] },
  { name: "a/../../x", entries: () => [{ name: "a/../../outside/nested.txt", data: "pwned" }] },
  { name: "/abs", entries: (out) => [{ name: "fine.txt", data: "ok" }, { name: `${out}/abs.txt`, data: "pwned" }] },
  { name: "symlink then file", entries: (out) => [{ name: "link", type: "symlink", link: out }, { name: "link/through.txt", data: "pwned" }] },
  { name: "relative symlink then file", entries: () => [{ name: "up", type: "symlink", link: "../outside" }, { name: "up/rel.txt", data: "pwned" }] },
];

async function expectNothingWritten(target: string): Promise<void> {
  expect(await readdir(outside)).toEqual([]);
  const inTarget = await readdir(target).catch(() => []);
  expect(inTarget).toEqual([]);
}

describe.each(["zip", "tar.gz"] as const)("traversal archives (%s) are refused", (format) => {
  it.each(cases)("$name", async ({ name, entries }) => {
    const slug = name.replace(/[^a-z]+/gi, "-");
    const build = format === "zip" ? handZip : handTarGz;
    const archiveDir = join(dir, "store", "db01", "files-7");
    await mkdir(archiveDir, { recursive: true });
    const archive = join(archiveDir, `files-7_${slug}_20260101T000000000Z_abc123.${format}`);
    await writeArchiveWithSidecar(archive, build(entries(outside)), { contents: contentsOf(entries(outside)) });
    const target = join(dir, `target-${format}-${slug}`);

    const result = await runCli(["-c", config, "restore", "--file", archive, "--target", target]);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    const reason = /(unsafe archive entry .*?|zip archive refused: (?:invalid relative path|absolute path)[^\n]*?)(?:; nothing was restored)?$/m.exec(String(result.stderr))?.[1];
    expect(reason, String(result.stderr)).toBeDefined();
    expect(String(result.stderr)).toMatch(/nothing was restored|refused/);
    await expectNothingWritten(target);

    const verified = await runCli(["-c", config, "verify", "--file", archive]);
    expect(verified.exitCode).toBe(1);
    expect(String(verified.stdout)).toContain(reason);
  });

  it("an existing symlink in the target is not written through", async () => {
    const archiveDir = join(dir, "store", "db01", "files-7");
    await mkdir(archiveDir, { recursive: true });
    const archive = join(archiveDir, `files-7_disklink_20260101T000000000Z_abc123.${format}`);
    const build = format === "zip" ? handZip : handTarGz;
    const planted = [{ name: "sub/planted.txt", data: "pwned" }];
    await writeArchiveWithSidecar(archive, build(planted), { contents: contentsOf(planted) });
    const target = join(dir, `target-${format}-disklink`);
    await mkdir(target);
    await symlink(outside, join(target, "sub"));

    const result = await runCli(["-c", config, "restore", "--file", archive, "--target", target, "--force"]);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(String(result.stderr)).toMatch(/is a symlink on disk/);
    expect(await readdir(outside)).toEqual([]);
    expect(await readdir(target)).toEqual(["sub"]);
  });
});

describe("tar.gz hard links", () => {
  it("a hard link to a path outside the archive is refused", async () => {
    const archive = join(dir, "store", "db01", "files-7", "files-7_hardlink_20260101T000000000Z_abc123.tar.gz");
    await mkdir(join(dir, "store", "db01", "files-7"), { recursive: true });
    const entries: HandEntry[] = [{ name: "passwd", type: "hardlink", link: "/etc/passwd" }];
    await writeArchiveWithSidecar(archive, handTarGz(entries), { contents: contentsOf(entries) });
    const target = join(dir, "target-hardlink");
    const result = await runCli(["-c", config, "restore", "--file", archive, "--target", target]);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    const reason = 'unsafe archive entry "/etc/passwd": absolute path';
    expect(String(result.stderr)).toContain(reason);
    await expectNothingWritten(target);
    const verified = await runCli(["-c", config, "verify", "--file", archive]);
    expect(verified.exitCode).toBe(1);
    expect(String(verified.stdout)).toContain(`FAIL contents: ${reason}`);
  });
});
