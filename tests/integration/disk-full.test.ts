import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sha256File } from "../helpers/archives.js";
import { runCli, startCli } from "../helpers/cli.js";
import { allNames, credentialsLeft, archivesIn, parseReport, readSidecar, writeDbConfig } from "../helpers/db-run.js";
import { writeScript } from "../helpers/fake-tools.js";
import { createBigDatabases, type BigDatabases } from "../helpers/big-databases.js";
import { freeBytes, mountSmallDisk } from "../helpers/small-disk.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * ENOSPC for real: local storage (or tmp_dir) on a 2 MiB tmpfs mounted by the test, every dump
 * and file tree bigger than that. Each unit must fail promptly naming the file and the phase,
 * stop its dump child, leave no partial, spool or credential file, let the next unit run, and
 * leave earlier backups untouched; a signal is never exit 0.
 */
const pg = inject("postgres");
const my = inject("mariadb");
const ROOT = process.getuid?.() === 0;
let dir: string;
let dbs: BigDatabases;
let cleanup: () => Promise<void>;
let tmp: string;
let runtime: string;
let small: string;
let bigTree: string;
const unmounts: (() => Promise<void>)[] = [];

// Credential files go to the private runtime dir: its own per test file, checked empty after each run.
const env = () => ({ ...dbs.passwordEnv, TMPDIR: tmp, XDG_RUNTIME_DIR: runtime });
// compression_level 0: every archive is as big as its data (4 MB), twice the disk.
const pgInstance = (extra: Record<string, unknown>) => dbs.pgInstance({ compression_level: 0, ...extra });
const myInstance = (extra: Record<string, unknown>) => dbs.myInstance({ compression_level: 0, ...extra });
const filesInstance = (extra: Record<string, unknown>) => ({ type: "files", paths: [`${bigTree}/*`], ...extra });
const smallFiles = (extra: Record<string, unknown>) => ({ type: "files", paths: [`${small}/*`], archive: "zip", ...extra });

async function smallDisk(name: string, size = "2m"): Promise<string> {
  const mount = join(dir, name);
  const mounted = await mountSmallDisk(mount, size);
  if ("unavailable" in mounted) throw new Error(mounted.unavailable);
  unmounts.push(mounted.unmount);
  return mount;
}

/** Config with local storage at `store` (a small disk), written beside the other configs. */
async function configOn(store: string, file: string, instances: Record<string, unknown>[], options: Record<string, unknown> = {}): Promise<string> {
  const path = await writeDbConfig(dir, file, instances, options);
  const text = (await readFile(path, "utf8")).replace(join(dir, "backups"), store);
  await writeFile(path, text);
  return path;
}

/** Partials, spools, credential files: anything half-done left below `root`. */
async function leftovers(root: string): Promise<string[]> {
  return (await allNames(root)).filter((n) => /\.partial$/.test(n) || n.includes(".vya-"));
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  tmp = join(dir, "tmp");
  runtime = join(dir, "run");
  small = join(dir, "small");
  bigTree = join(dir, "big-tree");
  for (const d of [tmp, small, bigTree]) await mkdir(d);
  await writeFile(join(small, "a.txt"), "a small file\n");
  // Incompressible: 4 MB stays 4 MB in either format.
  await writeFile(join(bigTree, "one.bin"), randomBytes(2 * 1024 * 1024));
  await writeFile(join(bigTree, "two.bin"), randomBytes(2 * 1024 * 1024));
  // ~4 MB of plain dump.
  dbs = await createBigDatabases(pg, my, "vya_full", 80000);
});
afterAll(async () => {
  for (const unmount of unmounts) await unmount().catch(() => undefined);
  await dbs.drop();
  await cleanup();
});

describe.skipIf(!ROOT)("a full disk (needs root to mount a tmpfs)", () => {
  it("database and files units into zip and tar.gz fail promptly naming file and phase; the next unit runs; earlier backups stay", async () => {
    const store = await smallDisk("store");
    // A wrapper that records pg_dump's pid (exec keeps it), to prove the child is stopped.
    const fake = join(dir, "fake-pid");
    await mkdir(fake);
    const pidFile = join(dir, "pg_dump.pids");
    await writeScript(fake, "pg_dump", `if [ "$1" != --version ]; then echo $$ >> ${pidFile}; fi\nexec ${join(pg.binDir, "pg_dump")} "$@"`);

    const earlierConfig = await configOn(store, "earlier.yaml", [smallFiles({ id: 1, name: "earlier" })]);
    expect((await runCli(["-c", earlierConfig, "backup"])).exitCode).toBe(0);
    const [earlier] = await archivesIn(join(store, "db01", "earlier"));
    const earlierSha = await sha256File(earlier as string);

    const config = await configOn(store, "full.yaml", [
      pgInstance({ id: 2, name: "pg-zip", archive: "zip" }),
      pgInstance({ id: 3, name: "pg-tgz", archive: "tar.gz" }),
      myInstance({ id: 4, name: "my-zip", archive: "zip" }),
      filesInstance({ id: 5, name: "files-zip", archive: "zip", compression_level: 0 }),
      filesInstance({ id: 6, name: "files-tgz", archive: "tar.gz", compression_level: 0 }),
      smallFiles({ id: 7, name: "after" }),
    ]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: env(), pathPrepend: [fake], timeoutMs: 60_000 });
    expect(result.timedOut, "the run hung on the full disk").toBe(false);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    const units = parseReport(result.stdout).units;
    const byName = (name: string) => units.find((u) => u.instance.name === name);
    for (const name of ["pg-zip", "pg-tgz", "my-zip", "files-zip", "files-tgz"]) {
      const unit = byName(name);
      expect(unit?.status, name).toBe("failed");
      // The cause, the phase and the file.
      expect(unit?.error, name).toMatch(/no space left on device/i);
      expect(unit?.error, name).toMatch(/^(writing the archive|spooling the dump to) \//);
      expect(unit?.error, name).toContain(store);
      expect(await archivesIn(join(store, "db01", name)), name).toEqual([]);
    }
    // The tar.gz of a database spools beside the archive first: that is where the disk ran out.
    expect(byName("pg-tgz")?.error).toMatch(/^spooling the dump to .*\.vya-spool-/);
    expect(byName("after")?.status).toBe("success");
    expect(await leftovers(store)).toEqual([]);
    expect(await readdir(tmp)).toEqual([]);
    expect(await credentialsLeft(runtime)).toEqual([]);
    // The dump children are gone.
    for (const pid of (await readFile(pidFile, "utf8")).trim().split("\n").map(Number)) expect(() => process.kill(pid, 0)).toThrow();
    // The earlier backup is intact and still a backup.
    expect(await sha256File(earlier as string)).toBe(earlierSha);
    expect((await readSidecar(earlier as string)).archive.sha256).toBe(earlierSha);
  });

  it("tmp_dir on a full disk: the spool fails naming it, the archive is not started, tmp_dir is left empty", async () => {
    const scratch = await smallDisk("scratch");
    const config = await writeDbConfig(dir, "spool.yaml", [pgInstance({ id: 8, name: "pg-spool", archive: "tar.gz" }), myInstance({ id: 9, name: "my-spool", archive: "tar.gz" })], { tmp_dir: scratch });
    const result = await runCli(["-c", config, "--json", "backup"], { env: env(), timeoutMs: 60_000 });
    expect(result.timedOut, "the run hung on the full disk").toBe(false);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    for (const unit of parseReport(result.stdout).units) {
      expect(unit.status).toBe("failed");
      expect(unit.error).toMatch(new RegExp(`^spooling the dump to ${scratch}/\\.vya-spool-[^ ]+ failed: .*no space left on device`, "i"));
    }
    expect(await readdir(scratch)).toEqual([]);
    expect(await leftovers(join(dir, "backups", "db01"))).toEqual([]);
    expect(await readdir(tmp)).toEqual([]);
    expect(await credentialsLeft(runtime)).toEqual([]);
  });

  it("no room left for the sidecar: the unit fails naming the sidecar, and its archive is removed (no backup without a sidecar)", async () => {
    // The archive's exact size, learnt on a roomy disk (same file, same names: same size).
    const probe = await writeDbConfig(dir, "probe.yaml", [smallFiles({ id: 12, name: "sidecar", compression_level: 0 })]);
    expect((await runCli(["-c", probe, "backup"])).exitCode).toBe(0);
    const [probed] = await archivesIn(join(dir, "backups", "db01", "sidecar"));
    const pages = Math.ceil((await stat(probed as string)).size / 4096);
    // Fill the disk so that exactly the run record's page and the archive's pages stay free: the sidecar finds none.
    const store = await smallDisk("store-sidecar", "1m");
    await writeFile(join(store, "filler"), Buffer.alloc((await freeBytes(store)) - (pages + 1) * 4096));
    const config = await configOn(store, "sidecar.yaml", [smallFiles({ id: 12, name: "sidecar", compression_level: 0 })]);
    const result = await runCli(["-c", config, "--json", "backup"], { timeoutMs: 60_000 });
    expect(result.exitCode, String(result.stderr)).toBe(1);
    const [unit] = parseReport(result.stdout).units;
    expect(unit?.error).toMatch(new RegExp(`^writing the sidecar ${store}/db01/sidecar/[^ ]+\\.zip\\.json failed: .*no space left on device`, "i"));
    expect(await archivesIn(join(store, "db01", "sidecar"))).toEqual([]);
    expect(await leftovers(store)).toEqual([]);
  });

  it("SIGTERM while a unit is stuck on the full disk exits 143 with the report, never 0", async () => {
    const store = await smallDisk("store-term");
    // The case: MariaDB into zip on a full disk, and a files zip (which used to wait
    // forever with nothing left to run). Beside them, a dump that never ends keeps the run going
    // until the signal, whether or not the full-disk units have failed by then.
    // The never-ending dump spools (tar.gz) on a roomy tmp_dir: were it written to the full disk it
    // would fail by itself and end the run before the signal (seen on a loaded machine).
    const spool = join(dir, "term-spool");
    await mkdir(spool);
    const fake = join(dir, "fake-sleep");
    await mkdir(fake);
    const pidFile = join(dir, "sleep.pid");
    await writeScript(fake, "pg_dump", `if [ "$1" = --version ]; then exec ${join(pg.binDir, "pg_dump")} --version; fi\nprintf -- '-- partial\\n'\necho $$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}\nexec sleep 120`);
    const config = await configOn(store, "term.yaml", [myInstance({ id: 10, name: "my-full", archive: "zip" }), filesInstance({ id: 13, name: "files-full", archive: "zip", compression_level: 0 }), pgInstance({ id: 11, name: "pg-sleep", archive: "tar.gz" })], { concurrency: 3, tmp_dir: spool });
    const run = startCli(["-c", config, "--json", "backup"], { env: env(), pathPrepend: [fake], timeoutMs: 60_000 });
    let stderr = "";
    run.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // All started, and the disk full (a unit stuck writing) or both full-disk units failed on it.
    while (!existsSync(pidFile) || !((stderr.match(/"backup failed"/g) ?? []).length >= 2 || (await diskFull(store)))) {
      if (run.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    run.kill("SIGTERM");
    const result = await run;
    expect(result.timedOut, "the run hung after SIGTERM").toBe(false);
    expect(result.exitCode, `signal ${String(result.signal)}; stderr: ${stderr.slice(-2000)}`).toBe(143);
    const report = parseReport(result.stdout);
    expect(report.interrupted).toBe(true);
    for (const name of ["my-full", "files-full"]) expect(report.units.find((u) => u.instance.name === name)?.status).toBe("failed");
    expect(await leftovers(store)).toEqual([]);
    // The MySQL credentials file is gone too.
    expect(await readdir(tmp)).toEqual([]);
    expect(await credentialsLeft(runtime)).toEqual([]);
    expect(await readdir(spool)).toEqual([]);
    expect(() => process.kill(Number(readFileSync(pidFile, "utf8")), 0)).toThrow();
  });
});

async function diskFull(mount: string): Promise<boolean> {
  return (await freeBytes(mount)) < 64 * 1024;
}
