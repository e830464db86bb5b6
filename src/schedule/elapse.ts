import type { CalendarField, CalendarSpec } from "./calendar.js";

/**
 * When a calendar expression last elapsed, without systemd (status runs where systemd may not):
 * the latest instant at or before `at` whose wall-clock time in the zone matches every field.
 * Days are walked backwards from `at` (at most MAX_DAYS: a Feb 29 schedule elapses every 4 to
 * 8 years); within a day the times are tried newest first. A wall time that a DST change skips
 * maps to the instant the zone's offset before the change gives (systemd moves it likewise).
 */
const MAX_DAYS = 8 * 366 + 2;

/** The values a field allows, ascending. */
export function fieldValues(field: CalendarField, min: number, max: number): number[] {
  if (field === "*") return Array.from({ length: max - min + 1 }, (_, i) => min + i);
  const values = new Set<number>();
  for (const item of field) for (let v = item.start; v <= Math.min(item.end, max); v += item.step ?? 1) values.add(v);
  return [...values].sort((a, b) => a - b);
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Wall-clock parts of an instant in a zone (undefined: the host's zone). */
function wallOf(format: Intl.DateTimeFormat, instant: number): Wall {
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(instant))) if (part.type !== "literal") parts[part.type] = Number(part.value);
  return { year: parts.year as number, month: parts.month as number, day: parts.day as number, hour: (parts.hour as number) % 24, minute: parts.minute as number, second: parts.second as number };
}

const asUtc = (w: Wall) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** The instant a wall-clock time in the zone names: the offset guessed, then corrected once (DST). */
function instantOf(format: Intl.DateTimeFormat, wall: Wall): number {
  const guess = asUtc(wall);
  const offset = asUtc(wallOf(format, guess)) - guess;
  const first = guess - offset;
  const corrected = asUtc(wallOf(format, first)) - first;
  return corrected === offset ? first : guess - corrected;
}

export function previousElapse(spec: CalendarSpec, at: Date, zone?: string): Date | null {
  const format = new Intl.DateTimeFormat("en-US", { timeZone: spec.timezone ?? zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
  const limit = at.getTime();
  const years = fieldValues(spec.year, 1970, 2199);
  const months = fieldValues(spec.month, 1, 12);
  const days = fieldValues(spec.day, 1, 31);
  const hours = fieldValues(spec.hour, 0, 23).reverse();
  const minutes = fieldValues(spec.minute, 0, 59).reverse();
  const seconds = fieldValues(spec.second, 0, 59).reverse();
  const start = wallOf(format, limit);
  // Wall times later than this cannot be at or before `at` (no zone shifts by more than 2 h at once): skipped without Intl.
  const ceiling = asUtc(start) + 2 * 3_600_000;
  // Walk calendar days backwards in UTC arithmetic (a date has no zone); one day later first, for DST.
  let cursor = Date.UTC(start.year, start.month - 1, start.day + 1);
  for (let n = 0; n < MAX_DAYS; n++, cursor -= 86_400_000) {
    const date = new Date(cursor);
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    const weekday = (date.getUTCDay() + 6) % 7;
    if (!years.includes(year) || !months.includes(month) || !days.includes(day)) continue;
    if (spec.weekdays && !spec.weekdays.includes(weekday)) continue;
    for (const hour of hours)
      for (const minute of minutes)
        for (const second of seconds) {
          if (Date.UTC(year, month - 1, day, hour, minute, second) > ceiling) continue;
          const instant = instantOf(format, { year, month, day, hour, minute, second });
          if (instant <= limit) return new Date(instant);
        }
  }
  return null;
}
