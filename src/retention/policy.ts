import { parseAgeMs } from "../util/age.js";
import { calendarIn, systemTimeZone, type Calendar } from "./calendar.js";
import type { RetentionPolicy } from "./policy-schema.js";

/** One backup of a group as the policy sees it: an id and when it started. */
export interface RetentionCandidate {
  id: string;
  /** Milliseconds since the epoch (the sidecar's started_at). */
  time: number;
}

export interface RetentionDecision {
  id: string;
  time: number;
  keep: boolean;
  /** Why it is kept ("newest", "last #2", "daily #3", "within 2d", "min_keep", "future-dated"); empty when deleted. */
  reasons: string[];
}

type BucketRule = "keep_daily" | "keep_weekly" | "keep_monthly" | "keep_yearly";
const BUCKETS: { rule: BucketRule; label: string; period: keyof Calendar }[] = [
  { rule: "keep_daily", label: "daily", period: "day" },
  { rule: "keep_weekly", label: "weekly", period: "week" },
  { rule: "keep_monthly", label: "monthly", period: "month" },
  { rule: "keep_yearly", label: "yearly", period: "year" },
];

/**
 * Which backups of one group a policy keeps (restic's semantics: rules are independent, a
 * backup is kept if any rule keeps it). Pure and deterministic: the result does not depend on
 * the input order (ties broken by id), and applying it again to what it kept deletes nothing.
 * - The newest backup not dated in the future is always kept, whatever the policy.
 * - Bucket rules count only periods that have a backup (a 30-day outage empties no bucket);
 *   the newest backup of a period stands for it.
 * - keep_within is measured from the newest backup, never from `now`.
 * - Backups dated after `now` (clock skew) are kept and take no part in the rules, so they are
 *   never the reason an older backup is deleted.
 */
export function decideRetention(candidates: readonly RetentionCandidate[], policy: RetentionPolicy, now: number): RetentionDecision[] {
  const calendar = calendarIn(policy.timezone ?? systemTimeZone());
  const sorted = [...candidates].sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const reasons = new Map<string, string[]>(sorted.map((c) => [c.id, []]));
  const add = (c: RetentionCandidate, reason: string) => reasons.get(c.id)?.push(reason);

  const future = sorted.filter((c) => c.time > now);
  const past = sorted.filter((c) => c.time <= now);
  for (const c of future) add(c, "future-dated");

  const newest = past[0];
  if (newest) add(newest, "newest");
  past.slice(0, policy.keep_last ?? 0).forEach((c, i) => add(c, `last #${i + 1}`));

  const withinMs = policy.keep_within === undefined ? null : parseAgeMs(policy.keep_within);
  if (newest && withinMs !== null && withinMs > 0) {
    for (const c of past) if (c.time >= newest.time - withinMs) add(c, `within ${policy.keep_within?.trim()}`);
  }

  for (const { rule, label, period } of BUCKETS) {
    const limit = policy[rule] ?? 0;
    let seen = 0;
    let last: string | null = null;
    for (const c of past) {
      if (seen >= limit) break;
      const key = calendar[period](c.time);
      if (key === last) continue; // not the newest of its period
      last = key;
      seen++;
      add(c, `${label} #${seen}`);
    }
  }

  // The floor: the newest ones not yet kept until min_keep backups are kept.
  let kept = past.filter((c) => (reasons.get(c.id)?.length ?? 0) > 0).length;
  for (const c of past) {
    if (kept >= policy.min_keep) break;
    if ((reasons.get(c.id)?.length ?? 0) > 0) continue;
    add(c, "min_keep");
    kept++;
  }

  return sorted.map((c) => {
    const why = reasons.get(c.id) ?? [];
    return { id: c.id, time: c.time, keep: why.length > 0, reasons: why };
  });
}
