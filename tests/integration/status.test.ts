import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { archivesIn } from "../helpers/db-run.js";
import { writeStoreConfig } from "../helpers/store-config.js";
import { freePort } from "../helpers/ports.js";
import { makeTempDir } from "../helpers/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
let config: string;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  for (const name of ["ok", "gone"]) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, "a.txt"), `${name}\n`);
  }
  config = await writeStoreConfig(dir, [
    { id: 1, name: "files-ok", type: "files", paths: [`${dir}/ok/*`] },
    { id: 2, name: "files-gone", type: "files", paths: [`${dir}/gone/*`] },
    { id: 3, name: "files-never", type: "files", paths: [`${dir}/never/*`] },
  ]);
  const backup = await runCli(["-c", config, "backup", "-i", "1", "-i", "2"]);
  expect(backup.exitCode, String(backup.stderr)).toBe(0);
});
afterAll(() => cleanup());

const status = (...args: string[]) => runCli(["-c", config, "status", ...args]);

describe("status: freshness from the catalogue", () => {
  it("fresh backups: exit 0, FRESH rows, Nagios OK", async () => {
    const result = await status("-i", "1", "-i", "2");
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/^FRESH\s+files-ok\s+-\s+\d{4}-/m);
    expect(String(result.stdout)).toContain("2 of 2 fresh (threshold 1d 2h)");
    const nagios = await status("-i", "1", "--nagios");
    expect(nagios.exitCode).toBe(0);
    expect(String(nagios.stdout)).toMatch(/^VYA-BACKUPDB OK - 1 backup fresh \| fresh=1 stale=0 never=0 failed=0 oldest_age=\d+s;;93600$/);
  });

  it("an instance never backed up: NEVER, exit 1, Nagios CRITICAL (2)", async () => {
    const result = await status();
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/^NEVER\s+files-never\s+-\s+-\s+-/m);
    const nagios = await status("--nagios");
    expect(nagios.exitCode).toBe(2);
    expect(String(nagios.stdout)).toMatch(/^VYA-BACKUPDB CRITICAL - files-never never \|/);
  });

  it("the last run failed (from its run record): FAILED even though the backup before is fresh; Nagios WARNING (1)", async () => {
    await rm(join(dir, "gone"), { recursive: true });
    expect((await runCli(["-c", config, "backup", "-i", "2"])).exitCode).toBe(1);
    const result = await status("-i", "2", "--json");
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout)) as { ok: boolean; rows: { instance: string; state: string; detail: string; newest: unknown }[] };
    expect(report.ok).toBe(false);
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ instance: "files-gone", state: "failed" });
    expect(report.rows[0]?.detail).toMatch(/could not plan its units: no file matches paths/);
    expect(report.rows[0]?.newest).not.toBeNull();
    const nagios = await status("-i", "2", "--nagios");
    expect(nagios.exitCode).toBe(1);
    expect(String(nagios.stdout)).toMatch(/^VYA-BACKUPDB WARNING - files-gone failed \|/);
  });

  it("a backup older than status.max_age is STALE: exit 1, Nagios CRITICAL", async () => {
    const [archive] = await archivesIn(join(dir, "store", "db01", "files-ok"), ".tar.gz");
    const sidecarFile = `${String(archive)}.json`;
    const sidecar = JSON.parse(await readFile(sidecarFile, "utf8")) as { completed_at: string };
    sidecar.completed_at = new Date(Date.now() - 3 * 86_400_000).toISOString();
    await writeFile(sidecarFile, JSON.stringify(sidecar));
    const result = await status("-i", "1");
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/^STALE\s+files-ok\s+-\s+\S+ \S+\s+3d/m);
    expect(String(result.stdout)).toContain("files-ok: older than 1d 2h (status.max_age)");
    const nagios = await status("-i", "1", "--nagios");
    expect(nagios.exitCode).toBe(2);
    expect(String(nagios.stdout)).toMatch(/^VYA-BACKUPDB CRITICAL - files-ok stale \|/);
  });

  it("with schedule.on_calendar and no status.max_age, freshness is measured against the schedule; max_age still overrides", async () => {
    // A schedule that elapsed once, on 2020-01-01: the 3-day-old backup of files-ok (previous test) came after it.
    const base = parse(await readFile(config, "utf8")) as Record<string, unknown>;
    const scheduled = join(dir, "scheduled.yaml");
    await writeFile(scheduled, stringify({ ...base, schedule: { on_calendar: "2020-01-01 00:00", randomized_delay: "0", timeout: "1h", timezone: "UTC" } }));
    const overridden = join(dir, "overridden.yaml");
    await writeFile(overridden, stringify({ ...base, status: { max_age: "26h" }, schedule: { on_calendar: "2020-01-01 00:00", timezone: "UTC" } }));
    const [result, jsonRun, stale] = await Promise.all([runCli(["-c", scheduled, "status", "-i", "1"]), runCli(["-c", scheduled, "--json", "status", "-i", "1"]), runCli(["-c", overridden, "status", "-i", "1"])]);
    expect(result.exitCode, String(result.stdout)).toBe(0);
    expect(String(result.stdout)).toMatch(/^FRESH\s+files-ok\s+-\s+\S+ \S+\s+3d/m);
    expect(String(result.stdout)).toMatch(/1 of 1 fresh \(threshold \d+d \d+h from schedule\.on_calendar\)/);
    const json = JSON.parse(String(jsonRun.stdout)) as { threshold: unknown };
    expect(json.threshold).toEqual({ source: "schedule", scheduled_start: "2020-01-01T00:00:00.000Z", due: "2020-01-01T01:00:00.000Z" });

    // status.max_age set: it wins over the schedule.
    expect(stale.exitCode).toBe(1);
    expect(String(stale.stdout)).toContain("files-ok: older than 1d 2h (status.max_age)");
  });

  it("a run that failed after writing its archives (an upload): FAILED from the state file, though the run record and the archive look complete", async () => {
    await mkdir(join(dir, "up"));
    await writeFile(join(dir, "up", "a.txt"), "up\n");
    await mkdir(join(dir, "state"));
    const closed = await freePort();
    const base = { server: { name: "db01" }, options: { state_dir: join(dir, "state") }, instances: [{ id: 4, name: "files-up", type: "files", paths: [`${dir}/up/*`] }] };
    const withRemote = join(dir, "upload.yaml");
    await writeFile(withRemote, stringify({ ...base, storage: { local: { path: join(dir, "store") }, remotes: [{ name: "nas", type: "sftp", host: "127.0.0.1", port: closed, username: "u", password: "pw", path: "/srv", retries: 0 }] } }));
    const backup = await runCli(["-c", withRemote, "backup"]);
    expect(backup.exitCode).toBe(1);
    const [archive] = await archivesIn(join(dir, "store", "db01", "files-up"), ".tar.gz");
    expect(archive).toBeDefined();
    const state = JSON.parse(await readFile(join(dir, "state", "last-run.db01.json"), "utf8")) as { run_id: string; instances: Record<string, { outcome: string }> };
    expect(state.instances["files-up"]?.outcome).toBe("failure");

    const [result, nagios] = await Promise.all([runCli(["-c", withRemote, "--json", "status"]), runCli(["-c", withRemote, "status", "--nagios"])]);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout)) as { rows: { instance: string; state: string; detail: string; newest: unknown }[] };
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ instance: "files-up", state: "failed" });
    expect(report.rows[0]?.newest).not.toBeNull();
    expect(report.rows[0]?.detail).toContain(`run ${state.run_id}) failed: ${join(dir, "state", "last-run.db01.json")} says so`);
    expect(String(nagios.stdout)).toMatch(/^VYA-BACKUPDB WARNING - files-up failed \|/);

    // The next good run (no remote now) clears it.
    const local = join(dir, "upload-local.yaml");
    await writeFile(local, stringify({ ...base, storage: { local: { path: join(dir, "store") } } }));
    expect((await runCli(["-c", local, "backup"])).exitCode).toBe(0);
    const after = await runCli(["-c", local, "status"]);
    expect(after.exitCode, String(after.stdout)).toBe(0);
    expect(String(after.stdout)).toMatch(/^FRESH\s+files-up/m);
  });

  it("a PITR instance: a (wal) row with the newest archived segment's age, stale after pitr.max_wal_age", async () => {
    const pitr = join(dir, "pitr.yaml");
    await writeFile(pitr, stringify({ server: { name: "db01" }, storage: { local: { path: join(dir, "store") } }, instances: [{ id: 5, name: "pg-pitr", type: "postgres", user: "postgres", pitr: { enabled: true, max_wal_age: "30m" } }] }));
    const walRow = async () => {
      const result = await runCli(["-c", pitr, "--json", "status"]);
      expect(result.exitCode).toBe(1); // no base backup yet: the instance row is NEVER
      return (JSON.parse(String(result.stdout)) as { rows: { kind: string; database: string; state: string; newest: { archive: string; completed_at: string } | null; detail: string | null }[] }).rows.find((r) => r.kind === "wal");
    };
    expect(await walRow()).toMatchObject({ database: "(wal)", state: "never", newest: null });

    // Pushed at once, out of order: the newest is the highest segment number, not the last pushed.
    const names = ["000000010000000000000004", "000000010000000000000006", "000000010000000000000005"];
    const pushes = await Promise.all(
      names.map(async (name) => {
        await writeFile(join(dir, name), randomBytes(64 * 1024));
        return runCli(["-c", pitr, "wal-push", join(dir, name), name, "-i", "5"]);
      }),
    );
    for (const pushed of pushes) expect(pushed.exitCode, String(pushed.stderr)).toBe(0);
    expect(await walRow()).toMatchObject({ state: "fresh", newest: { archive: "000000010000000000000006" }, detail: null });

    // The newest segment archived 2 hours ago: archiving stopped.
    const marker = join(dir, "store", "db01", "pg-pitr", "_wal", "000000010000000000000006.gz.json");
    const old = new Date(Date.now() - 2 * 3_600_000);
    await writeFile(marker, JSON.stringify({ ...JSON.parse(await readFile(marker, "utf8")), archived_at: old.toISOString() }));
    await utimes(marker, old, old);
    const [table, nagios] = await Promise.all([runCli(["-c", pitr, "status"]), runCli(["-c", pitr, "status", "--nagios"])]);
    expect(String(table.stdout)).toMatch(/^STALE\s+pg-pitr\s+\(wal\)\s+\S+ \S+\s+2h/m);
    expect(String(table.stdout)).toContain("pg-pitr/(wal): newest archived WAL segment 000000010000000000000006 is older than 30m (pitr.max_wal_age 30m)");
    expect(nagios.exitCode).toBe(2);
    expect(String(nagios.stdout)).toMatch(/^VYA-BACKUPDB CRITICAL - .*pg-pitr\/\(wal\) stale/);
  });

  it("--nagios with a broken config answers UNKNOWN (3) on one line", async () => {
    const broken = join(dir, "broken.yaml");
    await writeFile(broken, "server: {}\n");
    const nagios = await runCli(["-c", broken, "status", "--nagios"]);
    expect(nagios.exitCode).toBe(3);
    expect(String(nagios.stdout)).toMatch(/^VYA-BACKUPDB UNKNOWN - invalid config in .*broken\.yaml .*server\.name/);
    expect(String(nagios.stdout).trim().split("\n")).toHaveLength(1);
  });
});
