import { execFileSync, spawn } from "node:child_process";
import { chmod, chown, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { readEntries } from "../../src/restore/entries.js";
import type { RunReport } from "../../src/run/report.js";
import { runCli } from "../helpers/cli.js";
import { makeTempDir } from "../helpers/tmp.js";

/** Root reads mode-000 files, so the unreadable cases run the real binary as nobody. */
const nobody = {
  uid: Number(execFileSync("id", ["-u", "nobody"]).toString().trim()),
  gid: Number(execFileSync("id", ["-g", "nobody"]).toString().trim()),
};

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await chmod(dir, 0o755);
});
afterAll(() => cleanup());

type Format = "zip" | "tar.gz";

interface Case {
  config: string;
  data: string;
  /** Where instance "odd" (the data directory) and instance "after" (one plain file) write. */
  oddDir: string;
  afterDir: string;
}

/** A data directory with one plain file plus whatever `prepare` adds; instance "after" runs once "odd" is done. */
async function makeCase(name: string, archive: Format, odd: Record<string, unknown>, prepare: (data: string) => Promise<void>): Promise<Case> {
  const root = join(dir, `${name}-${archive.replace(".", "")}`);
  const data = join(root, "data");
  const backups = join(root, "backups");
  await mkdir(data, { recursive: true });
  await mkdir(backups, { recursive: true });
  await chmod(root, 0o755);
  await chmod(data, 0o755);
  await chown(backups, nobody.uid, nobody.gid);
  await writeFile(join(data, "ok.txt"), "fine\n");
  await chmod(join(data, "ok.txt"), 0o644);
  await prepare(data);
  const config = join(root, "config.yaml");
  await writeFile(
    config,
    stringify({
      server: { name: "s" },
      storage: { local: { path: backups } },
      instances: [
        // The literal directory means its whole tree, so listing descends into every directory in it.
        { id: 1, name: "odd", type: "files", archive, paths: [data], ...odd },
        { id: 2, name: "after", type: "files", archive, paths: [join(data, "ok.txt")] },
      ],
    }),
  );
  return { config, data, oddDir: join(backups, "s", "odd"), afterDir: join(backups, "s", "after") };
}

async function backup(c: Case, options: { asNobody?: boolean } = {}) {
  const result = await runCli(["-c", c.config, "--json", "backup"], { timeoutMs: 60_000, ...(options.asNobody ? { user: nobody } : {}) });
  expect(result.stdout, `exit ${result.exitCode}: ${String(result.stderr)}`).not.toBe("");
  const report = JSON.parse(String(result.stdout)) as RunReport;
  const unit = (name: string) => report.units.find((u) => u.instance.name === name)!;
  return { result, report, odd: unit("odd"), after: unit("after") };
}

/** Entry names and file sizes as the archive itself holds them. */
async function archived(path: string, format: Format): Promise<Map<string, { type: string; content: Buffer }>> {
  const found = new Map<string, { type: string; content: Buffer }>();
  for await (const entry of readEntries(path, format)) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body()) chunks.push(chunk);
    found.set(entry.name.replace(/\/$/, ""), { type: entry.type, content: Buffer.concat(chunks) });
  }
  return found;
}

async function sidecarOf(archive: string): Promise<{ contents: { name: string; size: number }[]; warnings: string[] }> {
  return JSON.parse(await readFile(`${archive}.json`, "utf8"));
}

async function expectVerified(c: Case, archive: string): Promise<void> {
  const verified = await runCli(["-c", c.config, "verify", "--file", archive]);
  expect(verified.exitCode, `${String(verified.stdout)}\n${String(verified.stderr)}`).toBe(0);
}

const rel = (p: string) => p.replace(/^\//, "");

describe.each(["zip", "tar.gz"] as const)("odd files in a files backup (%s)", (format) => {
  it("an unreadable file fails only its instance, naming the file and ignore_unreadable (even with ignore_missing set); later instances still run", async () => {
    const c = await makeCase("unreadable", format, { ignore_missing: true }, async (data) => {
      await writeFile(join(data, "secret.txt"), "no peeking\n");
      await chmod(join(data, "secret.txt"), 0o000);
    });
    const { result, odd, after } = await backup(c, { asNobody: true });
    expect(result.exitCode).toBe(1);
    expect(odd.status).toBe("failed");
    expect(odd.error).toContain(join(c.data, "secret.txt"));
    expect(odd.error).toContain("ignore_unreadable: true");
    expect(odd.error).not.toMatch(/set ignore_missing/);
    expect(await readdir(c.oddDir)).toEqual([]);
    expect(after.status).toBe("success");
    expect(await stat(after.archive!)).toBeTruthy();
    await expectVerified(c, after.archive!);
  });

  it("with ignore_unreadable: true the unreadable file is left out with a warning naming it, and the sidecar matches the archive", async () => {
    const c = await makeCase("skip-unreadable", format, { ignore_unreadable: true }, async (data) => {
      await writeFile(join(data, "secret.txt"), "no peeking\n");
      await chmod(join(data, "secret.txt"), 0o000);
      await mkdir(join(data, "locked"));
      await writeFile(join(data, "locked", "inside.txt"), "hidden\n");
      await chmod(join(data, "locked"), 0o000);
    });
    const { result, odd } = await backup(c, { asNobody: true });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const secret = join(c.data, "secret.txt");
    expect(odd.warnings.join("\n")).toContain(`left out: ${secret} (EACCES`);
    expect(odd.warnings.join("\n")).toContain(`left out the contents of ${join(c.data, "locked")} (EACCES`);
    const sidecar = await sidecarOf(odd.archive!);
    expect(sidecar.warnings.join("\n")).toContain(secret);
    // The locked directory itself is archived (empty), what is inside could not be listed.
    const expected = [rel(c.data), rel(join(c.data, "locked")), rel(join(c.data, "ok.txt"))];
    expect(sidecar.contents.map((e) => e.name).sort()).toEqual(expected);
    expect([...(await archived(odd.archive!, format)).keys()].sort()).toEqual(expected);
    await expectVerified(c, odd.archive!);
  });

  it("a FIFO is never opened: it is left out with a warning naming it, not listed in the sidecar, and verify passes", async () => {
    const c = await makeCase("fifo", format, {}, async (data) => {
      execFileSync("mkfifo", [join(data, "pipe")]);
    });
    const { result, odd } = await backup(c);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(odd.warnings.join("\n")).toContain(`left out: ${join(c.data, "pipe")} (a FIFO`);
    const sidecar = await sidecarOf(odd.archive!);
    const expected = [rel(c.data), rel(join(c.data, "ok.txt"))];
    expect(sidecar.contents.map((e) => e.name).sort()).toEqual(expected);
    expect([...(await archived(odd.archive!, format)).keys()].sort()).toEqual(expected);
    await expectVerified(c, odd.archive!);
  });

  it("a file growing during the backup is archived at its size when opened, with a warning naming it; sidecar and archive agree", async () => {
    const c = await makeCase("growing", format, {}, async (data) => {
      await writeFile(join(data, "grows.log"), Buffer.alloc(8 * 1024 * 1024, "a"));
    });
    const growing = join(c.data, "grows.log");
    // Appends 64 KiB every 20 ms until killed: the file grows all through the backup, but slowly
    // enough that the backup does not chase gigabytes.
    const script = `const fs=require("fs");const b=Buffer.alloc(64*1024,"b");const s=new Int32Array(new SharedArrayBuffer(4));for(;;){fs.appendFileSync(${JSON.stringify(growing)},b);Atomics.wait(s,0,0,20)}`;
    const appender = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
    try {
      const before = (await stat(growing)).size;
      while ((await stat(growing)).size === before) await new Promise((r) => setTimeout(r, 10));
      const { result, odd } = await backup(c);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(odd.warnings.join("\n")).toContain(`${growing} grew while being read`);
      const sidecar = await sidecarOf(odd.archive!);
      const recorded = sidecar.contents.find((e) => e.name === rel(growing))!;
      const entry = (await archived(odd.archive!, format)).get(rel(growing))!;
      expect(entry.content.length).toBe(recorded.size);
      // What was archived is the start of the file, byte for byte: no padding, no mix-up.
      appender.kill();
      const now = await readFile(growing);
      expect(entry.content.equals(now.subarray(0, entry.content.length))).toBe(true);
      await expectVerified(c, odd.archive!);
    } finally {
      appender.kill();
    }
  });
});

it("a directory this user may not list fails its instance naming it and ignore_unreadable; later instances still run", async () => {
  const c = await makeCase("locked-dir", "tar.gz", {}, async (data) => {
    await mkdir(join(data, "locked"));
    await chmod(join(data, "locked"), 0o000);
  });
  const { result, odd, after } = await backup(c, { asNobody: true });
  expect(result.exitCode).toBe(1);
  expect(odd.status).toBe("failed");
  expect(odd.error).toContain(join(c.data, "locked"));
  expect(odd.error).toContain("ignore_unreadable: true");
  expect(after.status).toBe("success");
});
