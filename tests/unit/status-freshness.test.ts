import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "../../src/catalog/list.js";
import type { NewestRecord } from "../../src/catalog/run-record.js";
import { configSchema } from "../../src/config/schema.js";
import { computeStatus, formatAge } from "../../src/status/freshness.js";
import { nagiosLine } from "../../src/status/nagios.js";

const NOW = new Date("2026-06-10T12:00:00Z");
const H = 3_600_000;
const config = configSchema.parse({
  server: { name: "db01" },
  storage: { local: { path: "/b" } },
  instances: [{ id: 1, name: "pg", type: "postgres", user: "u", databases: ["app", "crm"] }],
});

function entry(database: string, hoursAgo: number, runId: string, purpose?: "safety"): CatalogEntry {
  const completed = new Date(NOW.getTime() - hoursAgo * H).toISOString();
  return {
    name: `${database}-${runId}.zip`,
    key: `db01/pg/${database}/${database}-${runId}.zip`,
    storage: "local",
    location: "/b",
    state: "complete",
    size: 10,
    problem: null,
    time: completed,
    sidecar: { run_id: runId, kind: "database", database, completed_at: completed, started_at: completed, instance: { id: 1, name: "pg", type: "postgres" }, archive: { size_bytes: 10 }, ...(purpose ? { purpose } : {}) } as never,
  };
}

function record(runId: string, hoursAgo: number, databases: string[], planningError?: string): NewestRecord {
  const startedAt = new Date(NOW.getTime() - hoursAgo * H).toISOString();
  return {
    key: "k",
    runId,
    startedAt,
    ok: true,
    record: { format_version: 1, run_id: runId, started_at: startedAt, server: "db01", instance: { id: 1, name: "pg", type: "postgres" }, units: databases.map((d) => ({ kind: "database", database: d, directory: `db01/pg/${d}` })), ...(planningError ? { planning_error: planningError } : {}) },
  };
}

const run = (entries: CatalogEntry[], rec: NewestRecord | null, running = false) =>
  computeStatus({ server: "db01", instances: config.instances, entries, records: new Map([["pg", rec]]), running, now: NOW, maxAgeMs: 26 * H }).map((r) => `${r.database}:${r.state}`);

describe("computeStatus", () => {
  it.each([
    ["both fresh", [entry("app", 2, "r1"), entry("crm", 2, "r1")], record("r1", 2.1, ["app", "crm"]), false, ["app:fresh", "crm:fresh"]],
    ["one stale (older than 26h)", [entry("app", 30, "r0"), entry("crm", 2, "r1")], record("r1", 2.1, ["crm"]), false, ["app:stale", "crm:fresh"]],
    ["never backed up", [entry("app", 2, "r1")], record("r1", 2.1, ["app"]), false, ["app:fresh", "crm:never"]],
    ["the newest run planned crm and did not finish it", [entry("app", 2, "r1"), entry("crm", 25, "r0")], record("r1", 2.1, ["app", "crm"]), false, ["app:fresh", "crm:failed"]],
    ["…unless that run still holds the lock", [entry("app", 2, "r1"), entry("crm", 25, "r0")], record("r1", 2.1, ["app", "crm"]), true, ["app:fresh", "crm:fresh"]],
    ["a planning error fails every unit", [entry("app", 2, "r0"), entry("crm", 2, "r0")], record("r1", 1, [], "password authentication failed"), false, ["app:failed", "crm:failed"]],
    ["a restore's safety backup is not a backup", [entry("app", 1, "s", "safety"), entry("crm", 1, "r1")], record("r1", 1.1, ["crm"]), false, ["app:never", "crm:fresh"]],
    ["no run record (older versions): sidecars alone", [entry("app", 1, "r1"), entry("crm", 1, "r1")], null, false, ["app:fresh", "crm:fresh"]],
  ] as const)("%s", (_name, entries, rec, running, expected) => {
    expect(run([...entries], rec, running)).toEqual(expected);
  });

  it.each([
    ["the state file says the newest run (r1) failed, its record saw every archive: every row failed", "r1", 1.9, null, ["app:failed", "crm:failed"]],
    ["…a failure the run record names itself keeps only that row failed", "r1", 1.9, "crm", ["app:fresh", "crm:failed"]],
    ["a state file older than the newest run record (a later run did not write it) is ignored", "r0", 20, null, ["app:fresh", "crm:fresh"]],
  ] as const)("%s", (_name, stateRun, stateHoursAgo, missing, expected) => {
    const entries = [entry("app", 2, "r1"), ...(missing === "crm" ? [entry("crm", 25, "r0")] : [entry("crm", 2, "r1")])];
    const lastRun = { file: "/var/lib/vya-backupdb/last-run.db01.json", instances: { pg: { outcome: "failure" as const, run_id: stateRun, completed_at: new Date(NOW.getTime() - stateHoursAgo * H).toISOString(), last_success_at: null } } };
    const rows = computeStatus({ server: "db01", instances: config.instances, entries, records: new Map([["pg", record("r1", 2.1, ["app", "crm"])]]), running: false, now: NOW, maxAgeMs: 26 * H, lastRun });
    expect(rows.map((r) => `${r.database}:${r.state}`)).toEqual(expected);
    if (expected[0] === "app:failed") expect(rows[0]?.detail).toMatch(/^the last run \(.*, run r1\) failed: \/var\/lib\/vya-backupdb\/last-run\.db01\.json says so/);
  });

  it("Nagios: CRITICAL for stale or never, WARNING for a failed run with a fresh backup before it, OK otherwise", () => {
    const rows = (entries: CatalogEntry[], rec: NewestRecord | null) => computeStatus({ server: "db01", instances: config.instances, entries, records: new Map([["pg", rec]]), running: false, now: NOW, maxAgeMs: 26 * H });
    expect(nagiosLine(rows([entry("app", 2, "r1"), entry("crm", 2, "r1")], null), 93600).code).toBe(0);
    expect(nagiosLine(rows([entry("app", 2, "r1"), entry("crm", 2, "r0")], record("r1", 2.1, ["app", "crm"])), 93600).code).toBe(1);
    expect(nagiosLine(rows([entry("app", 2, "r1"), entry("crm", 30, "r0")], record("r1", 2.1, ["app", "crm"])), 93600).code).toBe(2);
    expect(nagiosLine(rows([entry("app", 2, "r1")], null), 93600).line).toMatch(/^VYA-BACKUPDB CRITICAL - pg\/crm never \| fresh=1 stale=0 never=1 failed=0 oldest_age=7200s;;93600$/);
  });

  it.each([
    [0, "0s"],
    [59, "59s"],
    [90, "1m 30s"],
    [3600, "1h"],
    [93_784, "1d 2h"],
    [3 * 86_400 + 60, "3d"],
  ])("formatAge(%d) = %s", (seconds, text) => expect(formatAge(seconds)).toBe(text));
});
