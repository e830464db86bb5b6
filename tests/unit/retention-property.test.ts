import { describe, expect, it } from "vitest";
import { decideRetention, type RetentionCandidate } from "../../src/retention/policy.js";
import { retentionSchema, type RetentionPolicy } from "../../src/retention/policy-schema.js";
import { seeded } from "../helpers/dump-archives.js";

/**
 * Property test with a seeded PRNG (the same cases every run): random sets of backup times
 * across years and time zones, random policies.
 */
const ZONES = ["UTC", "America/Sao_Paulo", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"];
const YEAR_MS = 365 * 86_400_000;
const START = Date.parse("2020-01-01T00:00:00Z");

function randomCase(rand: () => number) {
  const int = (max: number) => Math.floor(rand() * max);
  const count = 1 + int(120);
  // Bursts and gaps: most backups near each other, some years apart, some in the same second.
  const times: RetentionCandidate[] = [];
  let t = START + int(3 * YEAR_MS);
  for (let i = 0; i < count; i++) {
    const step = rand() < 0.1 ? int(90 * 86_400_000) : rand() < 0.1 ? 0 : int(2 * 86_400_000);
    t += step;
    times.push({ id: `b${i}`, time: t });
  }
  const maybe = (max: number) => (rand() < 0.5 ? int(max) : undefined);
  const raw: Record<string, unknown> = {
    keep_last: maybe(5),
    keep_daily: maybe(10),
    keep_weekly: maybe(6),
    keep_monthly: maybe(14),
    keep_yearly: maybe(4),
    keep_within: rand() < 0.3 ? `${int(10)}d` : undefined,
    min_keep: 1 + int(4),
    timezone: ZONES[int(ZONES.length)],
  };
  if (![raw.keep_last, raw.keep_daily, raw.keep_weekly, raw.keep_monthly, raw.keep_yearly].some((v) => typeof v === "number" && v > 0)) raw.keep_daily = 1 + int(5);
  const policy = retentionSchema.parse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  // Now: usually after the newest backup, sometimes before it (clock skew: future-dated backups).
  const newest = Math.max(...times.map((c) => c.time));
  const now = rand() < 0.8 ? newest + int(YEAR_MS) : newest - int(30 * 86_400_000);
  return { times, policy, now, rand };
}

const keptIds = (times: RetentionCandidate[], policy: RetentionPolicy, now: number) =>
  new Set(decideRetention(times, policy, now).filter((d) => d.keep).map((d) => d.id));

function shuffle<T>(items: T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("retention policy: properties over 200 seeded random cases", () => {
  it("the newest is always kept; future-dated are kept; min_keep holds; rules only keep; re-running deletes nothing more; input order does not matter", () => {
    const rand = seeded(20261130);
    for (let round = 0; round < 200; round++) {
      const { times, policy, now } = randomCase(rand);
      const context = `round ${round}: ${JSON.stringify(policy)}`;
      const decisions = decideRetention(times, policy, now);
      const kept = new Set(decisions.filter((d) => d.keep).map((d) => d.id));

      const past = times.filter((c) => c.time <= now);
      const newestTime = Math.max(...past.map((c) => c.time));
      const newest = past.filter((c) => c.time === newestTime).sort((a, b) => (a.id < b.id ? 1 : -1))[0];
      if (newest) expect(kept.has(newest.id), context).toBe(true);
      for (const c of times) if (c.time > now) expect(kept.has(c.id), context).toBe(true);
      expect(kept.size, context).toBeGreaterThanOrEqual(Math.min(policy.min_keep, times.length));
      // Every kept backup says why; every deleted one has no reason.
      for (const d of decisions) expect(d.keep, context).toBe(d.reasons.length > 0);

      // Rules only ever keep: widening the rules never deletes what a rule kept before
      // (min_keep is a floor, not a rule: what it topped up may be covered by a rule instead).
      const wider = { ...policy, keep_last: (policy.keep_last ?? 0) + 1, keep_monthly: (policy.keep_monthly ?? 0) + 2 };
      const widerKept = keptIds(times, wider, now);
      for (const d of decisions) if (d.reasons.some((r) => r !== "min_keep")) expect(widerKept.has(d.id), context).toBe(true);
      expect(widerKept.size, context).toBeGreaterThanOrEqual(kept.size);

      // Idempotent: applying the policy to what it kept deletes nothing more.
      const again = keptIds(times.filter((c) => kept.has(c.id)), policy, now);
      expect(again.size, context).toBe(kept.size);

      // Input order does not matter.
      expect(keptIds(shuffle(times, rand), policy, now), context).toEqual(kept);
    }
  });
});
