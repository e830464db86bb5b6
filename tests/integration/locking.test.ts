import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { archivesIn, writeDbConfig } from "../helpers/db-run.js";
import { writeScript } from "../helpers/fake-tools.js";
import { createDatabase, createRole, dropDatabase, psql } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";
import { writeStoreConfig } from "../helpers/store-config.js";
import { lockFilesTarget } from "../../src/restore/target-lock.js";
import { createLogger } from "../../src/util/logger.js";
import { Redactor } from "../../src/util/redact.js";

const pg = inject("postgres");
const DB = "vya_lock_db";
const ROLE = "vya_lock_role";
const PASSWORD = "lock-pw-7";
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
let fake: string;
const sleepers: number[] = [];
const env = { PGPW: PASSWORD };

/** Polls until `check` holds (no fixed sleeps). */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts a backup whose pg_dump hangs (it writes its pid to `pidFile`): a run that holds the lock. */
async function startHolder(pidFile: string) {
  await writeScript(fake, "pg_dump", `if [ "$1" = --version ]; then exec ${pg.binDir}/pg_dump --version; fi\necho $$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}\nexec sleep 120`);
  const holder = startCli(["-c", config, "backup"], { env, pathPrepend: [fake] });
  await until(() => existsSync(pidFile), "the holder's dump to start");
  const sleeper = Number(await readFile(pidFile, "utf8"));
  sleepers.push(sleeper);
  return { holder, sleeper };
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  fake = join(dir, "fake-bin");
  await mkdir(fake);
  await createRole(pg, ROLE, PASSWORD);
  await createDatabase(pg, DB, ROLE);
  await psql(pg, "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 10) g", DB, { user: ROLE, password: PASSWORD });
  config = await writeDbConfig(dir, "lock.yaml", [{ id: 1, name: "pg-lock", type: "postgres", host: pg.host, port: pg.port, user: ROLE, password: "${env:PGPW}", databases: [DB], globals: false }]);
  // A policy that never deletes here (keep_last 50), so `cleanup` has something to lock for.
  await appendFile(config, "retention:\n  keep_last: 50\n");
});
afterAll(async () => {
  for (const pid of sleepers) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await dropDatabase(pg, DB);
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`);
  await cleanup();
});

describe("one run per server at a time", () => {
  it("a second backup exits 3 naming the holder; after kill -9 of the holder the next run succeeds at once", async () => {
    const { holder, sleeper } = await startHolder(join(dir, "dump-1.pid"));
    const second = await runCli(["-c", config, "backup"], { env });
    expect(second.exitCode).toBe(3);
    const stderr = String(second.stderr);
    expect(stderr).toContain(`pid ${holder.pid} on ${hostname()}`);
    expect(stderr).toMatch(/started \d{4}-\d\d-\d\dT/);
    expect(stderr).toContain(`vya-backupdb -c ${config} backup`);
    expect(stderr).toContain("--lock-wait");
    // A cleanup never deletes while this config's backup runs; its dry run needs no lock.
    const cleanup = await runCli(["-c", config, "cleanup"], { env });
    expect(cleanup.exitCode).toBe(3);
    expect(String(cleanup.stderr)).toContain(`pid ${holder.pid}`);
    expect((await runCli(["-c", config, "cleanup", "--dry-run"], { env })).exitCode).toBe(0);

    holder.kill("SIGKILL");
    await holder;
    // The holder's dump child still runs: the lock must not have been inherited by it.
    expect(() => process.kill(sleeper, 0)).not.toThrow();
    const third = await runCli(["-c", config, "backup"], { env });
    expect(third.exitCode).toBe(0);
    expect(await archivesIn(join(dir, "backups", "db01", "pg-lock", DB))).toHaveLength(1);
  });

  it("--lock-wait runs once the holder ends, and exits 3 when the wait is too short", async () => {
    const { holder, sleeper } = await startHolder(join(dir, "dump-2.pid"));
    const short = await runCli(["-c", config, "backup", "--lock-wait", "300ms"], { env });
    expect(short.exitCode).toBe(3);
    expect(String(short.stderr)).toContain(`pid ${holder.pid}`);

    const before = (await archivesIn(join(dir, "backups", "db01", "pg-lock", DB))).length;
    const waiter = startCli(["-c", config, "backup", "--lock-wait", "2m"], { env });
    let waiterErr = "";
    waiter.stderr?.on("data", (c: Buffer) => (waiterErr += c.toString()));
    await until(() => waiterErr.includes("waiting up to 120 s for the lock"), "the waiter to wait");
    // End the holder's dump: its unit fails, the holder exits and frees the lock.
    process.kill(sleeper, "SIGKILL");
    expect((await holder).exitCode).toBe(1);
    const waited = await waiter;
    expect(waited.exitCode).toBe(0);
    expect(await archivesIn(join(dir, "backups", "db01", "pg-lock", DB))).toHaveLength(before + 1);
  });

  it("a restore into a target another restore holds exits 3; the same restore runs once it is free", async () => {
    const data = join(dir, "files-src");
    await mkdir(data);
    await writeFile(join(data, "a.txt"), "alpha\n");
    const filesDir = join(dir, "files-case");
    await mkdir(filesDir);
    const filesConfig = await writeStoreConfig(filesDir, [{ id: 7, name: "files-lock", type: "files", paths: [`${data}/*`] }]);
    expect((await runCli(["-c", filesConfig, "backup"])).exitCode).toBe(0);
    const [archive] = await archivesIn(join(filesDir, "store", "db01", "files-lock"), ".tar.gz");
    const target = join(dir, "restore-target");
    // This test process holds the target's lock, as a running restore would.
    const ctx = { config: {} as never, logger: createLogger({ level: "silent", redactor: new Redactor() }), redactor: new Redactor(), signal: new AbortController().signal };
    const held = await lockFilesTarget(target, 0, ctx);
    const refused = await runCli(["-c", filesConfig, "restore", "--file", String(archive), "--target", target]);
    expect(refused.exitCode).toBe(3);
    expect(String(refused.stderr)).toContain(`restore target ${target} is locked by another run: pid ${process.pid}`);
    expect(existsSync(join(target, data.slice(1), "a.txt"))).toBe(false);
    await held.release();
    const restored = await runCli(["-c", filesConfig, "restore", "--file", String(archive), "--target", target]);
    expect(restored.exitCode).toBe(0);
    expect(await readFile(join(target, data.slice(1), "a.txt"), "utf8")).toBe("alpha\n");
  });
});
