import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseCalendar, type CalendarSpec } from "../../src/schedule/calendar.js";
import { previousElapse } from "../../src/schedule/elapse.js";

const spec = (expression: string): CalendarSpec => {
  const parsed = parseCalendar(expression);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.spec;
};

/** systemd's next elapses after `base` (UTC instants), the reference previousElapse must agree with. */
function systemdElapses(expression: string, base: string, iterations: number, tz = "UTC"): Date[] {
  const result = spawnSync("systemd-analyze", ["calendar", `--iterations=${iterations}`, `--base-time=${base}`, expression], { encoding: "utf8", env: { ...process.env, TZ: tz, SYSTEMD_COLORS: "0" } });
  expect(result.status, result.stderr).toBe(0);
  // In UTC the elapses are printed in UTC; elsewhere each is followed by its "(in UTC)" line.
  const pattern = tz === "UTC" ? /(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g : /\(in UTC\): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g;
  return [...result.stdout.matchAll(pattern)].map((m) => new Date(`${(m[1] as string).replace(" ", "T")}Z`));
}

describe("previousElapse: the latest scheduled start at or before an instant", () => {
  it.each([
    ["Mon..Fri *-*-* 02:30", "2026-11-29T12:00:00Z", "2026-11-27T02:30:00.000Z"], // Sunday → Friday
    ["Mon..Fri *-*-* 02:30", "2026-11-30T02:30:00Z", "2026-11-30T02:30:00.000Z"], // at the elapse itself
    ["Mon..Fri *-*-* 02:30", "2026-11-30T02:29:59Z", "2026-11-27T02:30:00.000Z"],
    ["daily", "2026-03-01T00:00:00Z", "2026-03-01T00:00:00.000Z"],
    ["weekly", "2026-11-29T23:00:00Z", "2026-11-23T00:00:00.000Z"],
    ["*-*-01 03:00", "2026-03-15T00:00:00Z", "2026-03-01T03:00:00.000Z"],
    ["*-02-29 01:00", "2026-06-01T00:00:00Z", "2024-02-29T01:00:00.000Z"],
    ["*:0/15", "2026-06-01T10:44:00Z", "2026-06-01T10:30:00.000Z"],
    ["Mon 02:30 Europe/Paris", "2026-07-08T00:00:00Z", "2026-07-06T00:30:00.000Z"], // CEST, UTC+2
    ["Mon 02:30 Europe/Paris", "2026-01-07T00:00:00Z", "2026-01-05T01:30:00.000Z"], // CET, UTC+1
  ])("%s before %s → %s", (expression, at, expected) => {
    expect(previousElapse(spec(expression), new Date(at))?.toISOString()).toBe(expected);
  });

  it("a schedule that never elapsed before the instant: null", () => {
    expect(previousElapse(spec("2199-01-01 00:00"), new Date("2026-01-01T00:00:00Z"))).toBeNull();
  });

  it.each([
    ["Mon..Fri *-*-* 02:30", "UTC"],
    ["Sat,Sun 0..5:00", "UTC"],
    ["*-*-1,15 03:00", "UTC"],
    ["Mon..Fri 02:30", "Europe/Paris"], // the host's zone, across the October DST change
    ["*-*-* 02:30", "America/Sao_Paulo"],
  ])("agrees with systemd-analyze calendar for %j in %s", (expression, tz) => {
    const elapses = systemdElapses(expression, "2026-10-20 00:00:00 UTC", 12, tz);
    expect(elapses).toHaveLength(12);
    for (let i = 1; i < elapses.length; i++) {
      const here = elapses[i] as Date;
      expect(previousElapse(spec(expression), here, tz)?.toISOString()).toBe(here.toISOString());
      expect(previousElapse(spec(expression), new Date(here.getTime() - 1000), tz)?.toISOString()).toBe((elapses[i - 1] as Date).toISOString());
    }
  });
});
