import { describe, expect, it } from "vitest";
import { calendarIn, isoWeek } from "../../src/retention/calendar.js";
import { decideRetention, type RetentionCandidate } from "../../src/retention/policy.js";
import { retentionSchema, type RetentionPolicy } from "../../src/retention/policy-schema.js";
import { maxDeleteProblem } from "../../src/retention/max-delete.js";

const at = (iso: string): RetentionCandidate => ({ id: iso, time: Date.parse(iso) });
const policy = (p: Partial<RetentionPolicy>): RetentionPolicy => retentionSchema.parse({ timezone: "UTC", ...p });
const NOW = Date.parse("2030-01-01T00:00:00Z");

/** The kept ids (ISO times) with their reasons, newest first. */
function kept(times: string[], p: Partial<RetentionPolicy>, now = NOW): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const d of decideRetention(times.map(at), policy(p), now)) if (d.keep) out[d.id] = d.reasons;
  return out;
}

/** One backup a day at `hhmm` UTC from `first` for `days` days. */
function daily(first: string, days: number, hhmm = "02:30"): string[] {
  const start = Date.parse(`${first}T${hhmm}:00.000Z`);
  return Array.from({ length: days }, (_, i) => new Date(start + i * 86_400_000).toISOString());
}

describe("retention policy: table tests", () => {
  it("keep_last keeps the N newest, with reasons; the newest is marked newest", () => {
    const times = daily("2026-01-01", 5);
    expect(kept(times, { keep_last: 2 })).toEqual({
      "2026-01-05T02:30:00.000Z": ["newest", "last #1"],
      "2026-01-04T02:30:00.000Z": ["last #2"],
    });
  });

  it("several backups a day: the newest of the day stands for it", () => {
    const times = ["2026-03-01T01:00:00.000Z", "2026-03-01T13:00:00.000Z", "2026-03-01T23:59:59.000Z", "2026-03-02T00:00:01.000Z", "2026-03-02T12:00:00.000Z"];
    expect(kept(times, { keep_daily: 2 })).toEqual({
      "2026-03-02T12:00:00.000Z": ["newest", "daily #1"],
      "2026-03-01T23:59:59.000Z": ["daily #2"],
    });
  });

  it("a 30-day gap empties no bucket: only days that have a backup count", () => {
    const before = daily("2026-04-01", 10);
    const after = daily("2026-05-11", 5);
    const result = kept([...before, ...after], { keep_daily: 7 });
    expect(Object.keys(result).sort()).toEqual([...before.slice(-2), ...after].sort());
  });

  it("keep_within counts from the newest backup, never from now (a stopped timer deletes nothing more later)", () => {
    const times = daily("2026-01-01", 10);
    const muchLater = Date.parse("2028-01-01T00:00:00Z");
    expect(Object.keys(kept(times, { keep_within: "2d" }, muchLater))).toEqual(times.slice(-3).reverse());
  });

  it("weekly, monthly, yearly: the newest of each of the last N periods that have a backup", () => {
    const times = daily("2024-11-01", 800);
    const result = kept(times, { keep_weekly: 2, keep_monthly: 2, keep_yearly: 3 });
    expect(result).toEqual({
      "2027-01-09T02:30:00.000Z": ["newest", "weekly #1", "monthly #1", "yearly #1"],
      "2027-01-03T02:30:00.000Z": ["weekly #2"],
      "2026-12-31T02:30:00.000Z": ["monthly #2", "yearly #2"],
      "2025-12-31T02:30:00.000Z": ["yearly #3"],
    });
  });

  it("min_keep is a floor: the newest ones not kept by a rule are kept until it is met", () => {
    const times = ["2026-01-01T01:00:00.000Z", "2026-01-01T02:00:00.000Z", "2026-01-01T03:00:00.000Z", "2026-01-01T04:00:00.000Z"];
    expect(kept(times, { keep_daily: 1, min_keep: 3 })).toEqual({
      "2026-01-01T04:00:00.000Z": ["newest", "daily #1"],
      "2026-01-01T03:00:00.000Z": ["min_keep"],
      "2026-01-01T02:00:00.000Z": ["min_keep"],
    });
  });

  it("future-dated backups (clock skew) are kept and never the reason an older backup is deleted", () => {
    const now = Date.parse("2026-06-10T12:00:00Z");
    const times = ["2026-06-08T02:30:00.000Z", "2026-06-09T02:30:00.000Z", "2026-06-15T02:30:00.000Z"];
    expect(kept(times, { keep_last: 1, keep_within: "12h" }, now)).toEqual({
      "2026-06-15T02:30:00.000Z": ["future-dated"],
      "2026-06-09T02:30:00.000Z": ["newest", "last #1", "within 12h"],
    });
  });

  it("the newest is kept even by a policy that would keep only older ones (keep_yearly of a group with one backup a year later)", () => {
    expect(Object.keys(kept(["2026-01-01T00:00:00.000Z"], { keep_within: "1h" }))).toEqual(["2026-01-01T00:00:00.000Z"]);
  });
});

describe("retention policy: calendar edge cases", () => {
  it("DST spring forward (02:30 does not exist in New York on 2026-03-08): one daily bucket per calendar day, none merged or split", () => {
    // 02:30 local every night: the UTC instant moves by an hour across the change.
    const local = ["2026-03-06T07:30:00.000Z", "2026-03-07T07:30:00.000Z", "2026-03-08T07:30:00.000Z", "2026-03-09T06:30:00.000Z", "2026-03-10T06:30:00.000Z"];
    const ny = calendarIn("America/New_York");
    expect(local.map((t) => ny.day(Date.parse(t)))).toEqual(["2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09", "2026-03-10"]);
    expect(Object.keys(kept(local, { keep_daily: 5, timezone: "America/New_York" }))).toHaveLength(5);
  });

  it("DST fall back (the 25-hour 2026-11-01 in New York): both 01:30s and 23:30 are one day, its newest wins", () => {
    const times = ["2026-11-01T05:30:00.000Z", "2026-11-01T06:30:00.000Z", "2026-11-02T04:30:00.000Z", "2026-10-31T12:00:00.000Z"];
    expect(kept(times, { keep_daily: 2, timezone: "America/New_York" })).toEqual({
      "2026-11-02T04:30:00.000Z": ["newest", "daily #1"],
      "2026-10-31T12:00:00.000Z": ["daily #2"],
    });
    // In UTC the last one is another day.
    expect(Object.keys(kept(times, { keep_daily: 2, timezone: "UTC" }))).toEqual(["2026-11-02T04:30:00.000Z", "2026-11-01T06:30:00.000Z"]);
  });

  it("ISO weeks: week 53 and the Dec 29 – Jan 3 boundary", () => {
    expect(isoWeek(2026, 12, 28)).toEqual({ year: 2026, week: 53 });
    expect(isoWeek(2027, 1, 3)).toEqual({ year: 2026, week: 53 });
    expect(isoWeek(2027, 1, 4)).toEqual({ year: 2027, week: 1 });
    expect(isoWeek(2024, 12, 30)).toEqual({ year: 2025, week: 1 });
    expect(isoWeek(2021, 1, 3)).toEqual({ year: 2020, week: 53 });
    // Dec 29 2026 and Jan 2 2027 share ISO week 2026-W53: keep_weekly keeps the newest of the two.
    const times = ["2026-12-21T10:00:00.000Z", "2026-12-29T10:00:00.000Z", "2027-01-02T10:00:00.000Z"];
    expect(kept(times, { keep_weekly: 2 })).toEqual({
      "2027-01-02T10:00:00.000Z": ["newest", "weekly #1"],
      "2026-12-21T10:00:00.000Z": ["weekly #2"],
    });
  });

  it("backups taken in two time zones: the policy's zone decides the day", () => {
    // 2026-05-31T23:00Z and 2026-06-01T02:00Z are both May 31 in São Paulo (UTC-3), two days in UTC.
    const times = ["2026-05-30T15:00:00.000Z", "2026-05-31T23:00:00.000Z", "2026-06-01T02:00:00.000Z"];
    expect(Object.keys(kept(times, { keep_daily: 2, timezone: "America/Sao_Paulo" }))).toEqual(["2026-06-01T02:00:00.000Z", "2026-05-30T15:00:00.000Z"]);
    expect(Object.keys(kept(times, { keep_daily: 2, timezone: "UTC" }))).toEqual(["2026-06-01T02:00:00.000Z", "2026-05-31T23:00:00.000Z"]);
  });
});

describe("retention policy: the config block", () => {
  const problems = (value: unknown) => {
    const parsed = retentionSchema.safeParse(value);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  it("rejects a policy that keeps nothing, an unknown zone, a bad max_delete, a typo", () => {
    expect(problems({ min_keep: 3 })).toEqual([expect.stringContaining("a retention policy must keep something")]);
    expect(problems({ keep_daily: 0, keep_within: "0d" })).toEqual([expect.stringContaining("must keep something")]);
    expect(problems({ keep_daily: 7, timezone: "Mars/Olympus" })).toEqual([expect.stringContaining("timezone: unknown time zone")]);
    expect(problems({ keep_daily: 7, max_delete: "half" })).toEqual([expect.stringContaining("max_delete")]);
    expect(problems({ keep_dayly: 7 })).toEqual(expect.arrayContaining([expect.stringContaining("keep_dayly")]));
    expect(problems({ keep_daily: 7, min_keep: 0 })).toEqual([expect.stringContaining("min_keep")]);
    expect(problems({ keep_last: 3, keep_within: "2d", max_delete: "50%", timezone: "America/Sao_Paulo" })).toEqual([]);
  });

  it("max_delete: a count or a percentage of the group", () => {
    expect(maxDeleteProblem(undefined, 100, 100, "g")).toBeNull();
    expect(maxDeleteProblem(5, 5, 100, "g")).toBeNull();
    expect(maxDeleteProblem(5, 6, 100, "g")).toMatch(/max_delete 5 refuses this cleanup: it would delete 6 of the 100 backups of g/);
    expect(maxDeleteProblem("50%", 5, 10, "g")).toBeNull();
    expect(maxDeleteProblem("50%", 6, 10, "g")).toMatch(/limit 5/);
  });
});
