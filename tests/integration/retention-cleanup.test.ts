import { execa } from "execa";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { decideRetention } from "../../src/retention/policy.js";
import { retentionSchema } from "../../src/retention/policy-schema.js";
import { runCli, startCli } from "../helpers/cli.js";
import { dailyBackups, keysOf, writeFakeBackups, type FakeBackup, type FakeGroup } from "../helpers/fake-backups.js";
import { filesBelow } from "../helpers/remotes.js";
import { makeTempDir } from "../helpers/tmp.js";

/** cleanup on local storage over a year of backups laid out with past timestamps. */
const POLICY = { keep_daily: 7, keep_weekly: 4, keep_monthly: 12, timezone: "America/Sao_Paulo" };
const pgMain = { id: 1, name: "pg-main", type: "postgres" as const };
const app: FakeGroup = { instance: pgMain, kind: "database", database: "app" };
const crm: FakeGroup = { instance: pgMain, kind: "database", database: "crm" };
const FOREIGN = ["db01/pg-main/app/notes.txt", "db01/pg-main/app/pg-main_app_20200101T000000000Z_abcdef.zip", "db01/pg-main/app/.pg-main_app_x.zip.1234.partial", "db01/other-tool.tar.gz"];

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-retention-"));
});
afterAll(async () => {
  await cleanup();
});

/** What the policy keeps of `backups` now (the pure function's verdict; its own tests prove it). */
function expectedKept(backups: FakeBackup[], policy: Record<string, unknown> = POLICY): FakeBackup[] {
  const decisions = decideRetention(backups.map((b) => ({ id: b.key, time: Date.parse(b.startedAt) })), retentionSchema.parse(policy), Date.now());
  const keep = new Set(decisions.filter((d) => d.keep).map((d) => d.id));
  return backups.filter((b) => keep.has(b.key));
}

async function layout(name: string, retention: Record<string, unknown> = POLICY, days = 365, extra: Record<string, unknown> = {}) {
  const root = join(dir, name);
  const store = join(root, "store");
  const appBackups = dailyBackups(app, days);
  const crmBackups = dailyBackups(crm, 20);
  await writeFakeBackups(store, [...appBackups, ...crmBackups]);
  for (const key of FOREIGN) {
    await mkdir(join(store, key, ".."), { recursive: true });
    await writeFile(join(store, key), "not ours\n");
  }
  const config = join(root, "config.yaml");
  await writeFile(config, stringify({ server: { name: "db01" }, storage: { local: { path: store } }, retention, instances: [{ ...pgMain, user: "u", databases: ["app", "crm"] }], ...extra }));
  return { root, store, config, appBackups, crmBackups };
}

describe("cleanup on local storage", () => {
  it("--dry-run changes nothing; cleanup leaves exactly the policy's set and every foreign file; a second run deletes nothing", async () => {
    const { store, config, appBackups, crmBackups } = await layout("year");
    const before = await filesBelow(store);

    const dry = await runCli(["-c", config, "--json", "cleanup", "--dry-run"]);
    expect(dry.exitCode, String(dry.stderr)).toBe(0);
    expect(await filesBelow(store)).toEqual(before);
    const kept = [...expectedKept(appBackups), ...expectedKept(crmBackups)];
    const planned = JSON.parse(String(dry.stdout)) as { dry_run: boolean; storages: { storage: string; kept: number; deleted: number; bytes_freed: number }[]; groups: { database: string; kept: { name: string; reasons: string[] }[] }[] };
    expect(planned.dry_run).toBe(true);
    expect(planned.storages).toEqual([expect.objectContaining({ storage: "local", kept: kept.length, deleted: 385 - kept.length })]);
    expect(planned.storages[0]?.bytes_freed).toBeGreaterThan(0);
    expect(planned.groups.find((g) => g.database === "app")?.kept[0]?.reasons).toEqual(expect.arrayContaining(["newest", "daily #1", "weekly #1", "monthly #1"]));

    const run = await runCli(["-c", config, "cleanup"]);
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(String(run.stdout)).toMatch(new RegExp(`cleanup local: kept ${kept.length}, deleted ${385 - kept.length} \\(`));
    expect(String(run.stdout)).toContain("daily #1");
    expect(await filesBelow(store)).toEqual([...keysOf(kept), ...FOREIGN].sort());

    const again = await runCli(["-c", config, "--json", "cleanup"]);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(JSON.parse(String(again.stdout)).storages[0]).toMatchObject({ kept: kept.length, deleted: 0 });
    expect(await filesBelow(store)).toEqual([...keysOf(kept), ...FOREIGN].sort());
  });

  it("SIGKILL mid-deletion: no sidecar is left pointing at nothing, and the next cleanup finishes the interrupted deletions", async () => {
    const { store, config, appBackups, crmBackups } = await layout("crash");
    const journals = join(store, "db01", ".cleanup");
    const run = startCli(["-c", config, "cleanup"]);
    let journal: string | undefined;
    while (run.exitCode === null && !journal) {
      journal = (await readdir(journals).catch(() => [])).find((f) => f.endsWith(".json") && !f.startsWith("."));
    }
    run.kill("SIGKILL");
    await run;
    expect(journal, "cleanup finished before it could be killed").toBeDefined();
    expect(await readdir(journals)).toContain(journal);

    // Sidecars go before their archives: whatever was killed midway, no sidecar lacks its archive.
    const listed = await runCli(["-c", config, "--json", "list", "--all"]);
    expect(listed.exitCode, String(listed.stderr)).toBe(0);
    const entries = JSON.parse(String(listed.stdout)) as { key: string; state?: string; status?: string }[];
    expect(entries.filter((e) => e.status === "missing-archive")).toEqual([]);

    const next = await runCli(["-c", config, "--json", "cleanup"]);
    expect(next.exitCode, String(next.stderr)).toBe(0);
    const kept = [...expectedKept(appBackups), ...expectedKept(crmBackups)];
    // Every file of the killed run's doomed backups is gone, the journal too, nothing else was touched.
    expect(await filesBelow(store)).toEqual([...keysOf(kept), ...FOREIGN].sort());
    expect(await readdir(journals)).toEqual([]);
  });

  it("a deletion that fails (an immutable sidecar: EPERM even for root) is reported, exit 1, leaves the backup whole, and is retried by the next cleanup", async () => {
    const { store, config, appBackups, crmBackups } = await layout("eperm", POLICY, 30);
    // The oldest backup the policy deletes today (which one depends on the date: a month's last day is kept).
    const keptApp = new Set(expectedKept(appBackups).map((b) => b.key));
    const oldest = appBackups.find((b) => !keptApp.has(b.key)) as FakeBackup;
    const sidecar = join(store, `${oldest.key}.json`);
    const chattr = await execa("chattr", ["+i", sidecar], { reject: false });
    if (chattr.exitCode !== 0) throw new Error(`chattr +i is needed for this test and failed: ${chattr.stderr}`);
    try {
      const run = await runCli(["-c", config, "--json", "cleanup"]);
      expect(run.exitCode).toBe(1);
      const result = JSON.parse(String(run.stdout)) as { ok: boolean; storages: { deleted: number; errors: string[] }[] };
      expect(result.ok).toBe(false);
      expect(result.storages[0]?.errors).toEqual([expect.stringMatching(new RegExp(`${oldest.name}\\.json: delete failed: EPERM`))]);
      // The sidecar is deleted before the archive, so the failed one is still a whole backup.
      const files = await filesBelow(store);
      expect(files).toContain(oldest.key);
      expect(files).toContain(`${oldest.key}.json`);
      const listed = JSON.parse(String((await runCli(["-c", config, "--json", "list", "--all"])).stdout)) as { name: string; state?: string; status?: string }[];
      expect(listed.filter((e) => e.status === "missing-archive")).toEqual([]);
      expect(listed.find((e) => e.name === oldest.name)?.state).toBe("complete");
    } finally {
      await execa("chattr", ["-i", sidecar], { reject: false });
    }
    const next = await runCli(["-c", config, "--json", "cleanup"]);
    expect(next.exitCode, String(next.stdout)).toBe(0);
    expect(JSON.parse(String(next.stdout)).storages[0].resumed).toBe(1);
    expect(await filesBelow(store)).toEqual([...keysOf([...expectedKept(appBackups), ...expectedKept(crmBackups)]), ...FOREIGN].sort());
  });

  it("max_delete trips with its own message and deletes nothing; --force deletes", async () => {
    const textfile = join(dir, "max-delete-metrics", "vya.prom");
    await mkdir(join(textfile, ".."), { recursive: true });
    const { store, config, appBackups, crmBackups } = await layout("max-delete", { ...POLICY, max_delete: "50%" }, 60, { metrics: { textfile } });
    const before = await filesBelow(store);
    const refused = await runCli(["-c", config, "cleanup"]);
    expect(refused.exitCode).toBe(1);
    // The cleanup's own metrics (never the backup's textfile): a failed cleanup and its error count.
    const failedMetrics = await readFile(join(textfile, "..", "vya-cleanup.prom"), "utf8");
    expect(failedMetrics).toMatch(/^vya_cleanup_success 0$/m);
    expect(failedMetrics).toMatch(/^vya_backup_cleanup_errors\{storage="local"\} [1-9]/m);
    expect(existsSync(textfile)).toBe(false);
    expect(String(refused.stdout)).toMatch(/max_delete 50% refuses this cleanup: it would delete \d+ of the 60 backups of pg-main\/app on local/);
    expect(String(refused.stdout)).toContain("nothing was deleted on local");
    expect(await filesBelow(store)).toEqual(before);

    const forced = await runCli(["-c", config, "cleanup", "--force"]);
    expect(forced.exitCode, String(forced.stdout)).toBe(0);
    const metrics = await readFile(join(textfile, "..", "vya-cleanup.prom"), "utf8");
    expect(metrics).toMatch(/^vya_cleanup_success 1$/m);
    expect(metrics).toMatch(/^vya_backup_cleanup_deleted\{storage="local"\} [1-9]\d*$/m);
    expect(await filesBelow(store)).toEqual([...keysOf([...expectedKept(appBackups), ...expectedKept(crmBackups)]), ...FOREIGN].sort());
  });

  it("a policy that keeps nothing or names an unknown zone is a config error (exit 2) before anything is touched", async () => {
    const { store, config } = await layout("bad-policy", { min_keep: 2, timezone: "Mars/Olympus" }, 5);
    const before = await filesBelow(store);
    const run = await runCli(["-c", config, "cleanup"]);
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toContain("retention: a retention policy must keep something");
    expect(String(run.stderr)).toContain("retention.timezone: unknown time zone");
    expect(await filesBelow(store)).toEqual(before);
    // No policy anywhere: cleanup has nothing to apply (a backup then deletes nothing either).
    await writeFile(config, stringify({ server: { name: "db01" }, storage: { local: { path: store } }, instances: [{ ...pgMain, user: "u" }] }));
    const none = await runCli(["-c", config, "cleanup"]);
    expect(none.exitCode).toBe(2);
    expect(String(none.stderr)).toContain("no retention policy");
    expect(await filesBelow(store)).toEqual(before);
  });

  it("-i limits cleanup to that instance's groups", async () => {
    const { store, config } = await layout("only-other", POLICY, 30);
    await writeFile(config, stringify({ server: { name: "db01" }, storage: { local: { path: store } }, retention: POLICY, instances: [{ ...pgMain, user: "u" }, { id: 2, type: "mysql", user: "u" }] }));
    const before = await filesBelow(store);
    const run = await runCli(["-c", config, "cleanup", "-i", "2"]);
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(await filesBelow(store)).toEqual(before);
  });
});
