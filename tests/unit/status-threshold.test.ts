import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { computeStatus } from "../../src/status/freshness.js";
import { DEFAULT_MAX_AGE_MS, freshnessThreshold } from "../../src/status/threshold.js";

const base = { server: { name: "db01" }, storage: { local: { path: "/b" } } };
const weekdays = configSchema.parse({ ...base, schedule: { on_calendar: "Mon..Fri *-*-* 02:30", randomized_delay: "15m", timeout: "2h", timezone: "UTC" } });
const H = 3_600_000;

/** Is a backup completed at `completed` fresh at `now` under the weekday schedule? */
function fresh(completed: string, now: string, config = weekdays): boolean {
  const threshold = freshnessThreshold(config, new Date(now));
  return new Date(now).getTime() - new Date(completed).getTime() <= threshold.maxAgeMs;
}

describe("freshness against the schedule", () => {
  it.each([
    // Friday's run (Fri 2026-11-27 02:30 + 20 min) is fresh all weekend and Monday until Monday's run is due (02:30 + 15m + 2h).
    ["Friday's backup on Saturday", "2026-11-27T02:50:00Z", "2026-11-28T12:00:00Z", true],
    ["Friday's backup on Sunday night", "2026-11-27T02:50:00Z", "2026-11-29T23:59:00Z", true],
    ["Friday's backup on Monday while Monday's run may still go on", "2026-11-27T02:50:00Z", "2026-11-30T04:44:00Z", true],
    ["Friday's backup once Monday's run had to be over", "2026-11-27T02:50:00Z", "2026-11-30T04:46:00Z", false],
    ["Thursday's backup on Saturday (Friday's run is missing)", "2026-11-26T02:50:00Z", "2026-11-28T12:00:00Z", false],
    ["Monday's backup on Monday evening", "2026-11-30T03:05:00Z", "2026-11-30T20:00:00Z", true],
    ["a manual backup on Sunday, checked on Monday morning", "2026-11-29T15:00:00Z", "2026-11-30T04:00:00Z", true],
  ])("%s", (_what, completed, now, expected) => {
    expect(fresh(completed, now)).toBe(expected);
  });

  it("says which scheduled start the backup is measured against", () => {
    const threshold = freshnessThreshold(weekdays, new Date("2026-11-29T12:00:00Z"));
    expect(threshold).toMatchObject({ source: "schedule", scheduled: { start: "2026-11-27T02:30:00.000Z", due: "2026-11-27T04:45:00.000Z" } });
    expect(threshold.maxAgeMs).toBe(new Date("2026-11-29T12:00:00Z").getTime() - new Date("2026-11-27T02:30:00Z").getTime());
    expect(threshold.staleDetail).toBe("completed before the run scheduled for 2026-11-27 02:30 UTC (schedule.on_calendar), which had to be over by 2026-11-27 04:45 UTC (+ randomized_delay + timeout)");
  });

  it("the schedule's time zone counts: 02:30 in São Paulo is 05:30 UTC", () => {
    const config = configSchema.parse({ ...base, schedule: { on_calendar: "*-*-* 02:30", randomized_delay: "0", timeout: "1h", timezone: "America/Sao_Paulo" } });
    expect(freshnessThreshold(config, new Date("2026-06-10T07:00:00Z")).scheduled?.start).toBe("2026-06-10T05:30:00.000Z");
    expect(freshnessThreshold(config, new Date("2026-06-10T06:00:00Z")).scheduled?.start).toBe("2026-06-09T05:30:00.000Z");
  });

  it("status.max_age overrides the schedule; neither gives 26 hours", () => {
    const both = configSchema.parse({ ...base, status: { max_age: "3d" }, schedule: { on_calendar: "daily" } });
    expect(freshnessThreshold(both, new Date())).toMatchObject({ source: "max_age", maxAgeMs: 72 * H });
    expect(freshnessThreshold(configSchema.parse(base), new Date())).toMatchObject({ source: "default", maxAgeMs: DEFAULT_MAX_AGE_MS });
  });

  it("a stale row names the scheduled run it misses", () => {
    const now = new Date("2026-11-30T06:00:00Z");
    const threshold = freshnessThreshold(weekdays, now);
    const config = configSchema.parse({ ...base, instances: [{ id: 3, name: "files-3", type: "files", paths: ["/srv/*"] }] });
    const completed = "2026-11-27T02:50:00.000Z";
    const entry = { name: "a.tar.gz", key: "k", storage: "local", location: "/b", state: "complete", size: 1, problem: null, time: completed, sidecar: { run_id: "r1", kind: "files", database: null, completed_at: completed, started_at: completed, instance: { id: 3, name: "files-3", type: "files" }, archive: { size_bytes: 1 } } } as never;
    const [row] = computeStatus({ server: "db01", instances: config.instances, entries: [entry], records: new Map(), running: false, now, maxAgeMs: threshold.maxAgeMs, ...(threshold.staleDetail ? { staleDetail: threshold.staleDetail } : {}) });
    expect(row).toMatchObject({ state: "stale", detail: "completed before the run scheduled for 2026-11-30 02:30 UTC (schedule.on_calendar), which had to be over by 2026-11-30 04:45 UTC (+ randomized_delay + timeout)" });
  });
});
