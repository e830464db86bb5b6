import type { Config } from "../config/schema.js";
import { parseCalendar } from "../schedule/calendar.js";
import { previousElapse } from "../schedule/elapse.js";
import { parseTimespanSeconds } from "../schedule/timespan.js";
import { parseAgeMs } from "../util/age.js";

/** Without status.max_age and without a schedule: a daily run with slack. */
export const DEFAULT_MAX_AGE_MS = 26 * 3_600_000;

export interface Threshold {
  /** A unit's newest backup older than this (at `now`) is stale. */
  maxAgeMs: number;
  source: "max_age" | "schedule" | "default";
  /** schedule: the scheduled start the newest backup must not be older than, and when that run had to be over. */
  scheduled?: { start: string; due: string };
  /** Why a stale row is stale (undefined: "older than <max age> (status.max_age)"). */
  staleDetail?: string;
}

/**
 * How old a backup may be now. status.max_age wins when set. Otherwise, with a schedule, a backup
 * is fresh when it completed after the latest scheduled start whose run must be over by now
 * (start + randomized_delay + timeout, systemd stops a run at its timeout): so on a Mon..Fri
 * schedule Friday's backup stays fresh over the weekend, and Monday's is awaited until Monday's
 * run is due. Otherwise 26 hours.
 */
export function freshnessThreshold(config: Pick<Config, "status" | "schedule">, now: Date): Threshold {
  const maxAge = config.status.max_age === undefined ? null : parseAgeMs(config.status.max_age);
  if (maxAge !== null) return { maxAgeMs: maxAge, source: "max_age" };
  const schedule = config.schedule;
  const parsed = schedule ? parseCalendar(schedule.on_calendar) : null;
  if (schedule && parsed?.ok) {
    const slackMs = ((parseTimespanSeconds(schedule.randomized_delay) ?? 0) + (parseTimespanSeconds(schedule.timeout) ?? 0)) * 1000;
    const start = previousElapse(parsed.spec, new Date(now.getTime() - slackMs), schedule.timezone);
    if (start) {
      const due = new Date(start.getTime() + slackMs);
      const at = (d: Date) => d.toISOString().replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC");
      return {
        maxAgeMs: now.getTime() - start.getTime(),
        source: "schedule",
        scheduled: { start: start.toISOString(), due: due.toISOString() },
        staleDetail: `completed before the run scheduled for ${at(start)} (schedule.on_calendar), which had to be over by ${at(due)} (+ randomized_delay + timeout)`,
      };
    }
  }
  return { maxAgeMs: DEFAULT_MAX_AGE_MS, source: "default" };
}
