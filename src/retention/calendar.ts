/**
 * Calendar periods of an instant in a time zone, through Intl (DST-correct: a 25-hour day is
 * one day, a skipped hour belongs to the day it was skipped in). Keys compare as strings.
 */
export interface Calendar {
  day(time: number): string;
  week(time: number): string;
  month(time: number): string;
  year(time: number): string;
}

export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function calendarIn(timeZone: string): Calendar {
  const format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric", calendar: "iso8601", numberingSystem: "latn" });
  // One Intl call per instant, not one per period kind: 10,000 backups are judged in a blink.
  const seen = new Map<number, { y: number; m: number; d: number }>();
  const ymd = (time: number) => {
    let date = seen.get(time);
    if (!date) {
      const parts = format.formatToParts(new Date(time));
      const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
      date = { y: get("year"), m: get("month"), d: get("day") };
      seen.set(time, date);
    }
    return date;
  };
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return {
    day: (time) => {
      const { y, m, d } = ymd(time);
      return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
    },
    week: (time) => {
      const { y, m, d } = ymd(time);
      const { year, week } = isoWeek(y, m, d);
      return `${pad(year, 4)}-W${pad(week)}`;
    },
    month: (time) => {
      const { y, m } = ymd(time);
      return `${pad(y, 4)}-${pad(m)}`;
    },
    year: (time) => pad(ymd(time).y, 4),
  };
}

/** ISO 8601 week of a calendar date: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek(y: number, m: number, d: number): { year: number; week: number } {
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() || 7; // Monday 1 … Sunday 7
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides the year
  const year = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return { year, week };
}
