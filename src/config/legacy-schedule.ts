import { parseCalendar, formatWeekdays } from "../schedule/calendar.js";

/**
 * The old tool's `schedule: { enabled, weekdays (0 = Monday), time "HH:MM", timezone }` as the
 * current `schedule: { on_calendar, timezone }`. What cannot be carried over is named in
 * `unmapped`; values of the wrong shape are `problems`.
 */
type Obj = Record<string, unknown>;

const HANDLED = ["enabled", "weekdays", "time", "timezone"];

export function convertLegacySchedule(block: Obj, unmapped: string[], problems: string[]): Obj | undefined {
  for (const key of Object.keys(block)) if (!HANDLED.includes(key)) unmapped.push(`schedule.${key} (no equivalent)`);
  if (block.enabled === false) {
    unmapped.push("schedule.enabled: false (no schedule converted; without one, schedule print uses the default time)");
    return undefined;
  }
  const days = weekdays(block.weekdays, problems);
  const time = typeof block.time === "string" ? block.time.trim() : block.time === undefined ? "02:30" : undefined;
  if (time === undefined || !/^\d{1,2}:\d{2}(:\d{2})?$/.test(time)) {
    problems.push(`schedule.time: expected "HH:MM", got ${JSON.stringify(block.time)}`);
    return undefined;
  }
  if (days === null) return undefined;
  const onCalendar = `${days.length > 0 && days.length < 7 ? `${formatWeekdays(days)} ` : ""}*-*-* ${time}`;
  const parsed = parseCalendar(onCalendar);
  if (!parsed.ok) {
    problems.push(`schedule: weekdays ${JSON.stringify(block.weekdays)} and time ${JSON.stringify(block.time)} make no valid time: ${parsed.error}`);
    return undefined;
  }
  const schedule: Obj = { on_calendar: parsed.normalized };
  if (block.timezone !== undefined) schedule.timezone = String(block.timezone);
  return schedule;
}

/** 0 = Monday … 6 = Sunday, sorted and unique; [] = every day; null after a problem. */
function weekdays(value: unknown, problems: string[]): number[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((d) => Number.isInteger(d) && d >= 0 && d <= 6)) {
    problems.push(`schedule.weekdays: expected a list of days 0 (Monday) … 6 (Sunday), got ${JSON.stringify(value)}`);
    return null;
  }
  return [...new Set(value as number[])].sort((a, b) => a - b);
}
