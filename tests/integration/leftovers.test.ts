import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { allNames, archivesIn, parseReport, writeDbConfig } from "../helpers/db-run.js";
import { writeScript } from "../helpers/fake-tools.js";
import { createDatabase, createRole, dropDatabase, psql } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * What SIGKILL leaves (no handler runs: OOM killer, `systemctl kill`, power loss) — credential
 * files, dump spools, partial archives — is found and removed by the next backup, and only when
 * its owner process is gone: a concurrent run's files stay.
 */
const pg = inject("postgres");
const DB = "vya_left_db";
const ROLE = "vya_left_role";
const PASSWORD = "left-over:pw$1";
let dir: string;
let cleanup: () => Promise<void>;

const instance = (extra: Record<string, unknown>) => ({ type: "postgres", host: pg.host, port: pg.port, user: ROLE, password: "${env:PGPW}", databases: [DB], globals: false, ...extra });

/** Each case gets its own TMPDIR and runtime dir, so what it finds there is its own. */
function envFor(name: string): Record<string, string> {
  return { PGPW: PASSWORD, TMPDIR: join(dir, name, "tmp"), XDG_RUNTIME_DIR: join(dir, name, "run") };
}

async function prepare(name: string): Promise<void> {
  for (const sub of ["tmp", "run", "fake", "pids"]) await mkdir(join(dir, name, sub), { recursive: true });
}

/**
 * A pg_dump that records "<its pid> <its parent (the CLI)> <PGPASSFILE>" in pids/, then waits for
 * the file `release` (never, for a run to be killed: then it ends with the CLI) and becomes the real pg_dump.
 */
async function writeBlockingPgDump(name: string): Promise<string> {
  const fake = join(dir, name, "fake");
  const pids = join(dir, name, "pids");
  await writeScript(
    fake,
    "pg_dump",
    `if [ "$1" = --version ]; then exec ${pg.binDir}/pg_dump --version; fi
echo "$$ $PPID $PGPASSFILE" > ${pids}/$$.tmp && mv ${pids}/$$.tmp ${pids}/$$
while [ ! -f ${join(dir, name, "release")} ] && kill -0 $PPID 2>/dev/null; do sleep 0.05; done
exec ${pg.binDir}/pg_dump "$@"`,
  );
  return fake;
}

/** Polls until `count` fake dumps have started; returns their lines [dumpPid, cliPid, passfile]. */
async function waitForDumps(name: string, count: number, child: { exitCode: number | null }): Promise<[number, number, string][]> {
  const pids = join(dir, name, "pids");
  for (;;) {
    const files = (await readdir(pids)).filter((f) => !f.endsWith(".tmp"));
    if (files.length >= count) {
      const lines = await Promise.all(files.map((f) => readFile(join(pids, f), "utf8")));
      return lines.map((l) => {
        const [pid, cli, passfile] = l.trim().split(" ");
        return [Number(pid), Number(cli), passfile ?? ""];
      });
    }
    if (child.exitCode !== null) throw new Error("the run ended before its dumps started");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Spool directories and partial files below `root` (relative paths), not what is inside a spool. */
async function leftoversIn(root: string): Promise<string[]> {
  const names = await allNames(root);
  return names.filter((n) => /(^|\/)(\.vya-spool-[^/]*|[^/]*\.partial)$/.test(n) && !/\.vya-spool-[^/]*\//.test(n));
}

function spawnBackup(config: string, env: Record<string, string>, fake: string) {
  return startCli(["-c", config, "--json", "backup"], { env, pathPrepend: [fake], timeoutMs: 300_000 });
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-leftovers-"));
  await createRole(pg, ROLE, PASSWORD);
  await createDatabase(pg, DB, ROLE);
  await psql(pg, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 2000) g;", DB, { user: ROLE, password: PASSWORD });
});
afterAll(async () => {
  await dropDatabase(pg, DB);
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`);
  await cleanup();
});

// Each case runs the CLI three times with several dumps: minutes on a loaded two-core machine.
describe("leftovers of killed runs", () => {
  it("SIGKILL mid-dump leaves credentials (in the private runtime dir), a spool and a partial; the next backup removes and reports them", async () => {
    const name = "killed";
    await prepare(name);
    const fake = await writeBlockingPgDump(name);
    const env = envFor(name);
    const config = await writeDbConfig(join(dir, name), "config.yaml", [instance({ id: 1, name: "pg-tar", archive: "tar.gz" }), instance({ id: 2, name: "pg-zip", archive: "zip" })], { concurrency: 2 });
    const run = spawnBackup(config, env, fake);
    const dumps = await waitForDumps(name, 2, run);
    expect(dumps.map(([, cli]) => cli)).toEqual([run.pid, run.pid]);
    run.kill("SIGKILL");
    await run;
    for (const [pid] of dumps) process.kill(pid, "SIGKILL"); // the orphaned dumps, so nothing keeps running

    const backups = join(dir, name, "backups", "db01");
    // The credentials sit in the private runtime directory, not in the shared TMPDIR.
    const passfiles = dumps.map(([, , passfile]) => passfile);
    for (const passfile of passfiles) {
      expect(passfile.startsWith(`${env.XDG_RUNTIME_DIR}/vya-backupdb/`), passfile).toBe(true);
      expect(existsSync(passfile)).toBe(true);
    }
    expect(await readdir(env.TMPDIR ?? "")).toEqual([]);
    // tar.gz spools the dump beside its partial archive; zip streams into its partial.
    const left = await leftoversIn(backups);
    expect(left.filter((n) => n.includes("/.vya-spool-"))).toHaveLength(1);
    expect(left.filter((n) => n.endsWith(".partial"))).toHaveLength(2);

    const again = await runCli(["-c", config, "--json", "backup"], { env });
    expect(again.exitCode, String(again.stderr)).toBe(0);
    const report = parseReport(again.stdout);
    const swept = (report.swept ?? []).map((s) => s.path).sort();
    expect(swept).toEqual([...passfiles.map((p) => p.slice(0, p.lastIndexOf("/"))), ...left.map((n) => join(backups, n))].sort());
    for (const item of report.swept ?? []) expect(item.reason).toMatch(/owner process \d+ is gone/);
    for (const passfile of passfiles) expect(existsSync(passfile)).toBe(false);
    expect(await readdir(join(env.XDG_RUNTIME_DIR ?? "", "vya-backupdb"))).toEqual([]);
    expect(await leftoversIn(backups)).toEqual([]);
    expect(await archivesIn(join(backups, "pg-tar", DB), ".tar.gz")).toHaveLength(1);
    expect(await archivesIn(join(backups, "pg-zip", DB))).toHaveLength(1);
    expect(String(again.stderr)).toMatch(/removed a leftover of an earlier run/);
  }, 180_000);

  it("a concurrent live run's files are not swept, and that run still succeeds", async () => {
    const name = "live";
    await prepare(name);
    const fake = await writeBlockingPgDump(name);
    const env = envFor(name);
    const slowConfig = await writeDbConfig(join(dir, name), "slow.yaml", [instance({ id: 1, name: "pg-slow", archive: "tar.gz" }), instance({ id: 2, name: "pg-slowzip", archive: "zip" })], { concurrency: 2 });
    const slow = spawnBackup(slowConfig, env, fake);
    const dumps = await waitForDumps(name, 2, slow);
    const backups = join(dir, name, "backups", "db01");
    const before = await leftoversIn(backups);
    expect(before).toHaveLength(3); // two partial archives and the tar.gz's spool

    // A second run into the same storage, TMPDIR and runtime dir, while the first is mid-dump.
    const fastConfig = await writeDbConfig(join(dir, name), "fast.yaml", [instance({ id: 3, name: "pg-fast", archive: "tar.gz" })]);
    const fast = await runCli(["-c", fastConfig, "--json", "backup"], { env });
    expect(fast.exitCode, String(fast.stderr)).toBe(0);
    expect(parseReport(fast.stdout).swept ?? []).toEqual([]);
    for (const [, , passfile] of dumps) expect(existsSync(passfile)).toBe(true);
    for (const left of before) expect(existsSync(join(backups, left)), left).toBe(true);

    await writeFile(join(dir, name, "release"), "");
    const result = await slow;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(parseReport(result.stdout).units.map((u) => u.status)).toEqual(["success", "success"]);
    expect(await archivesIn(join(backups, "pg-slow", DB), ".tar.gz")).toHaveLength(1);
    expect(await archivesIn(join(backups, "pg-slowzip", DB))).toHaveLength(1);
  }, 180_000);
});
