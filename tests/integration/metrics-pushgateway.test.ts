import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { scrape, startPushgateway } from "../helpers/notify-servers.js";
import { makeTempDir } from "../helpers/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
let gateway: Awaited<ReturnType<typeof startPushgateway>>;
let config: string;
// A job name with "/" must reach the gateway base64-encoded and come back whole.
const JOB = "backups/vya";
const group = { job: JOB, instance: "db01" };
const series = { ...group, backup_instance: "app-files", type: "files", database: "(files)" };

async function value(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const samples = await scrape(gateway.url, name);
  return samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function sidecarCompletedAt(): Promise<number> {
  const folder = join(dir, "store", "db01", "app-files");
  const sidecar = (await readdir(folder)).find((f) => f.endsWith(".json"));
  const parsed = JSON.parse(await readFile(join(folder, sidecar!), "utf8")) as { completed_at: string };
  return Date.parse(parsed.completed_at) / 1000;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-metrics-"));
  await mkdir(join(dir, "src"));
  await mkdir(join(dir, "gw"));
  await writeFile(join(dir, "src", "a.txt"), "data\n");
  gateway = await startPushgateway(join(dir, "gw"));
  config = join(dir, "config.yaml");
  await writeFile(
    config,
    stringify({
      server: { name: "db01" },
      storage: { local: { path: join(dir, "store") } },
      instances: [{ id: 1, name: "app-files", type: "files", paths: [`${dir}/src/*`] }],
      metrics: { pushgateway: { url: gateway.url, job: JOB, timeout_seconds: 5 }, textfile: join(dir, "vya.prom") },
    }),
  );
});
afterAll(async () => {
  await gateway?.stop();
  await cleanup?.();
});

describe("metrics pushed to the real prometheus-pushgateway", () => {
  let goodAt: number;

  it("after a good run: last success = the sidecar's completion, last run ok, one archive, build info; textfile written", async () => {
    const result = await runCli(["-c", config, "backup"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    goodAt = await sidecarCompletedAt();
    expect(await value("vya_backup_last_success_timestamp_seconds", series)).toBeCloseTo(goodAt, 2);
    expect(await value("vya_backup_last_run_success", series)).toBe(1);
    expect(await value("vya_backup_archives", { ...series, storage: "local" })).toBe(1);
    expect(await value("vya_backup_size_bytes", series)).toBeGreaterThan(0);
    expect(await value("vya_backup_run_success", { ...group, command: "backup" })).toBe(1);
    expect(await value("vya_backup_total", { ...group, status: "success" })).toBe(1);
    expect(await value("vya_backup_errors_total", group)).toBe(0);
    expect((await scrape(gateway.url, "vya_backupdb_build_info"))[0]?.labels.version).toMatch(/^\d+\.\d+\.\d+/);
    const textfile = await readFile(join(dir, "vya.prom"), "utf8");
    expect(textfile).toMatch(/^vya_backup_last_success_timestamp_seconds\{backup_instance="app-files",type="files",database="\(files\)"\} [\d.]+$/m);
    expect((await readdir(dir)).filter((f) => f.includes("partial"))).toEqual([]);
  });

  it("a restore pushes the old tool's restore metrics to its own group, leaving the backup's group whole", async () => {
    const folder = join(dir, "store", "db01", "app-files");
    const archive = (await readdir(folder)).find((f) => f.endsWith(".tar.gz"));
    const result = await runCli(["-c", config, "restore", "--file", join(folder, archive!), "--target", join(dir, "restored")]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(await readFile(join(dir, "restored", dir.replace(/^\//, ""), "src", "a.txt"), "utf8")).toBe("data\n");
    expect(await value("vya_restore_total", { ...group, command: "restore", status: "success" })).toBe(1);
    expect(await value("vya_restore_duration_seconds", { ...group, command: "restore" })).toBeGreaterThan(0);
    expect(await value("vya_backup_last_success_timestamp_seconds", series)).toBeCloseTo(goodAt, 2);
    expect(await readFile(join(dir, "vya-restore.prom"), "utf8")).toMatch(/^vya_restore_success 1$/m);
  });

  it("a failed run replaces the group but keeps the last-success time of the good run", async () => {
    await rm(join(dir, "src", "a.txt"));
    const result = await runCli(["-c", config, "backup"]);
    expect(result.exitCode).toBe(1);
    expect(await value("vya_backup_run_success", { ...group, command: "backup" })).toBe(0);
    expect(await value("vya_backup_errors_total", group)).toBe(1);
    expect(await value("vya_backup_last_run_success", { ...series, database: "(instance)" })).toBe(0);
    expect(await value("vya_backup_last_success_timestamp_seconds", series)).toBeCloseTo(goodAt, 2);
  });

  it("after a gateway restart that lost everything, the next (failed) push still carries the last good backup's time", async () => {
    await gateway.stop();
    await rm(join(dir, "gw", "pushgateway.persist"), { force: true });
    gateway = await startPushgateway(join(dir, "gw"), gateway.port);
    expect(await value("vya_backup_last_success_timestamp_seconds", series)).toBeUndefined();
    const result = await runCli(["-c", config, "backup"]);
    expect(result.exitCode).toBe(1);
    expect(await value("vya_backup_last_success_timestamp_seconds", series)).toBeCloseTo(goodAt, 2);
    expect(await value("vya_backup_run_success", { ...group, command: "backup" })).toBe(0);
  });

  it("a Pushgateway that is down leaves the exit code and is reported", async () => {
    await writeFile(join(dir, "src", "a.txt"), "data\n");
    await gateway.stop();
    const result = await runCli(["-c", config, "backup", "--json"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout)) as { metrics: { target: string; status: string; error?: string }[] };
    expect(report.metrics).toEqual(
      expect.arrayContaining([expect.objectContaining({ target: "pushgateway", status: "failed" }), expect.objectContaining({ target: "textfile", status: "sent" })]),
    );
  });
});
