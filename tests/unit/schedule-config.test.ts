import { describe, expect, it } from "vitest";
import { convertLegacy } from "../../src/config/legacy.js";
import { parseConfig } from "../../src/config/load.js";

const base = { server: { name: "db01" }, storage: { local: { path: "/var/backups/vya" } } };
const load = (schedule: unknown) => parseConfig({ ...base, schedule }, { file: "/etc/vya-backupdb/db01.yaml", env: {} });
const problemsOf = (schedule: unknown): string[] => {
  try {
    load(schedule);
    return [];
  } catch (err) {
    return (err as { problems?: string[] }).problems ?? [String(err)];
  }
};

describe("config schedule block", () => {
  it("accepts a calendar, delay and zone, with defaults filled in", () => {
    expect(load({ on_calendar: "Mon..Fri *-*-* 02:30", randomized_delay: "15m", timezone: "Europe/Paris" }).config.schedule).toEqual({
      on_calendar: "Mon..Fri *-*-* 02:30",
      randomized_delay: "15m",
      timezone: "Europe/Paris",
      timeout: "6h",
    });
    expect(load({ on_calendar: "daily" }).config.schedule).toMatchObject({ randomized_delay: "15m", timeout: "6h" });
  });

  it.each([
    [{ on_calendar: "Mon..Fry 02:30" }, "schedule.on_calendar", "not a systemd calendar expression"],
    [{ on_calendar: "*-*-* 25:00" }, "schedule.on_calendar", "hour 25 is outside 0..23"],
    [{ on_calendar: "daily", timezone: "Mars/Olympus" }, "schedule.timezone", "unknown time zone"],
    [{ on_calendar: "02:30 UTC", timezone: "Europe/Paris" }, "schedule.timezone", "names a time zone (UTC) already"],
    [{ on_calendar: "daily", randomized_delay: "soon" }, "schedule.randomized_delay", "time span"],
    [{ on_calendar: "daily", on_failure: "mail me" }, "schedule.on_failure", "unit name"],
    [{ on_calendar: "daily", weekdays: [1] }, "schedule", "weekdays"],
  ])("rejects %j at %s", (schedule, path, message) => {
    const problems = problemsOf(schedule);
    expect(problems.some((p) => p.startsWith(path) && p.includes(message))).toBe(true);
  });
});

describe("legacy schedule {weekdays (0 = Monday), time, timezone}", () => {
  const legacy = (schedule: unknown) => convertLegacy({ server_info: { server_name: "old" }, db_config: [], paths: { backup_path: "/b" }, schedule });

  it.each([
    [{ enabled: true, weekdays: [0, 1, 2, 3, 4], time: "02:30", timezone: "America/Sao_Paulo" }, { on_calendar: "Mon..Fri *-*-* 02:30:00", timezone: "America/Sao_Paulo" }],
    [{ weekdays: [6, 5], time: "3:05" }, { on_calendar: "Sat,Sun *-*-* 03:05:00" }],
    [{ weekdays: [0, 2, 4], time: "23:59" }, { on_calendar: "Mon,Wed,Fri *-*-* 23:59:00" }],
    [{ weekdays: [0, 1, 2, 3, 4, 5, 6], time: "01:00" }, { on_calendar: "*-*-* 01:00:00" }],
    [{ time: "04:15" }, { on_calendar: "*-*-* 04:15:00" }],
  ])("%j → %j, and the result validates", (schedule, expected) => {
    const { config, problems } = legacy(schedule);
    expect(problems).toEqual([]);
    expect(config.schedule).toEqual(expected);
    const loaded = parseConfig({ server_info: { server_name: "old" }, db_config: [], paths: { backup_path: "/b" }, schedule }, { file: "old.json", env: {} });
    expect(loaded.config.schedule?.on_calendar).toBe(expected.on_calendar);
    expect(loaded.warnings.join("\n")).not.toMatch(/schedule \(/);
  });

  it("enabled: false converts no schedule and says so", () => {
    const { config, unmapped } = legacy({ enabled: false, weekdays: [0], time: "02:30" });
    expect(config.schedule).toBeUndefined();
    expect(unmapped.some((u) => u.startsWith("schedule.enabled: false"))).toBe(true);
  });

  it.each([
    [{ weekdays: [7], time: "02:30" }, "schedule.weekdays"],
    [{ weekdays: "weekdays", time: "02:30" }, "schedule.weekdays"],
    [{ weekdays: [0], time: "half past two" }, "schedule.time"],
    [{ weekdays: [0], time: "25:00" }, "schedule:"],
  ])("%j is a problem at %s", (schedule, where) => {
    expect(legacy(schedule).problems.some((p) => p.startsWith(where))).toBe(true);
  });
});
