/**
 * systemd calendar expressions (systemd.time(7)), the common forms: shorthands (daily, weekly …),
 * `[WEEKDAYS] [[YEAR-]MONTH-DAY] [HOUR:MINUTE[:SECOND]] [TIMEZONE]` with `*`, lists `a,b`,
 * ranges `a..b` and repetitions `a/n` / `a..b/n`. Parsed here so a config is validated without
 * systemd-analyze (containers and cron hosts lack it); tests compare the verdicts with it.
 * Not supported (rejected with a message): `~` (days from the month's end), fractional seconds.
 */

/** One list item of a field: a value, a range, and an optional repetition step. */
export interface CalendarItem {
  start: number;
  end: number;
  step?: number;
  /** `a/n`: written without an end, which is the field's maximum. */
  open?: boolean;
}
/** `*` or a list of items. */
export type CalendarField = "*" | CalendarItem[];

export interface CalendarSpec {
  /** 0 = Monday … 6 = Sunday; null = every day. */
  weekdays: number[] | null;
  year: CalendarField;
  month: CalendarField;
  day: CalendarField;
  hour: CalendarField;
  minute: CalendarField;
  second: CalendarField;
  timezone?: string;
}

export type CalendarResult = { ok: true; spec: CalendarSpec; normalized: string } | { ok: false; error: string };

const SHORTHANDS: Record<string, string> = {
  minutely: "*-*-* *:*:00",
  hourly: "*-*-* *:00:00",
  daily: "*-*-* 00:00:00",
  monthly: "*-*-01 00:00:00",
  weekly: "Mon *-*-* 00:00:00",
  yearly: "*-01-01 00:00:00",
  annually: "*-01-01 00:00:00",
  quarterly: "*-01,04,07,10-01 00:00:00",
  semiannually: "*-01,07-01 00:00:00",
};

export const WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
const LONG_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

class CalendarSyntaxError extends Error {}
const fail = (message: string): never => {
  throw new CalendarSyntaxError(message);
};

export function parseCalendar(expression: string): CalendarResult {
  try {
    const spec = parseSpec(expression);
    return { ok: true, spec, normalized: formatCalendar(spec) };
  } catch (err) {
    if (err instanceof CalendarSyntaxError) return { ok: false, error: err.message };
    throw err;
  }
}

function parseSpec(expression: string): CalendarSpec {
  const text = expression.trim();
  if (text === "") fail("empty calendar expression");
  if (text !== expression) fail("leading or trailing blanks");
  const short = SHORTHANDS[text.toLowerCase()];
  const tokens = (short ?? text).split(/\s+/);
  let timezone: string | undefined;
  const last = tokens[tokens.length - 1] as string;
  if (tokens.length > 1 && /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(last) && !isWeekdayList(last)) {
    timezone = checkTimezone(last);
    tokens.pop();
  }
  const spec: CalendarSpec = { weekdays: null, year: "*", month: "*", day: "*", hour: [{ start: 0, end: 0 }], minute: [{ start: 0, end: 0 }], second: [{ start: 0, end: 0 }] };
  if (timezone) spec.timezone = timezone;
  let index = 0;
  if (tokens[index] !== undefined && /^[A-Za-z]/.test(tokens[index] as string)) spec.weekdays = parseWeekdays(tokens[index++] as string);
  if (tokens[index] !== undefined && (tokens[index] as string).includes("-")) Object.assign(spec, parseDate(tokens[index++] as string));
  if (tokens[index] !== undefined && (tokens[index] as string).includes(":")) Object.assign(spec, parseTime(tokens[index++] as string));
  if (index === 0) fail(`"${text}" is neither a shorthand (daily, weekly …) nor weekdays, a date or a time`);
  if (index < tokens.length) fail(`unexpected "${tokens[index]}" (the order is: weekdays, date, time, time zone)`);
  return spec;
}

function isWeekdayList(token: string): boolean {
  return token.split(",").every((part) => part.split(/\.\.|-/).every((day) => dayIndex(day) !== undefined));
}

function checkTimezone(zone: string): string {
  if (zone.toUpperCase() === "UTC") return "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone;
  } catch {
    return fail(`unknown time zone "${zone}"`);
  }
}

function dayIndex(name: string): number | undefined {
  const lower = name.toLowerCase();
  const short = WEEKDAY_NAMES.findIndex((d) => d.toLowerCase() === lower);
  if (short >= 0) return short;
  const long = LONG_NAMES.indexOf(lower);
  return long >= 0 ? long : undefined;
}

function parseWeekdays(token: string): number[] {
  const days = new Set<number>();
  for (const part of token.split(",")) {
    const bounds = part.split(/\.\.|-/);
    if (bounds.length > 2) fail(`weekday range "${part}" has more than two ends`);
    const [from, to] = bounds.map((b) => dayIndex(b) ?? fail(`"${b}" is not a weekday (Mon … Sun)`));
    const end = to ?? (from as number);
    if (end < (from as number)) fail(`weekday range "${part}" runs backwards (the week starts on Monday)`);
    for (let d = from as number; d <= end; d++) days.add(d);
  }
  return [...days].sort((a, b) => a - b);
}

function parseDate(token: string): Pick<CalendarSpec, "year" | "month" | "day"> {
  if (token.includes("~")) fail(`"~" (days counted from the end of the month) is not supported here`);
  const parts = token.split("-");
  if (parts.length < 2 || parts.length > 3) fail(`date "${token}" is not [YEAR-]MONTH-DAY`);
  const [year, month, day] = parts.length === 3 ? parts : ["*", ...parts];
  return {
    year: parseField(year as string, "year", 1970, 2199, (n, raw) => (raw.length <= 2 ? (n < 70 ? 2000 + n : 1900 + n) : n)),
    month: parseField(month as string, "month", 1, 12),
    day: parseField(day as string, "day", 1, 31),
  };
}

function parseTime(token: string): Pick<CalendarSpec, "hour" | "minute" | "second"> {
  const parts = token.split(":");
  if (parts.length < 2 || parts.length > 3) fail(`time "${token}" is not HOUR:MINUTE[:SECOND]`);
  if ((parts[2] ?? "").includes(".")) fail("fractional seconds are not supported here");
  return {
    hour: parseField(parts[0] as string, "hour", 0, 23),
    minute: parseField(parts[1] as string, "minute", 0, 59),
    second: parseField(parts[2] ?? "00", "second", 0, 59),
  };
}

function parseField(text: string, what: string, min: number, max: number, map: (n: number, raw: string) => number = (n) => n): CalendarField {
  if (text === "*") return "*";
  return text.split(",").map((item) => {
    const match = /^(\d+)(?:\.\.(\d+))?(?:\/(\d+))?$/.exec(item);
    if (!match) return fail(`${what} "${item}" is not a number, a range a..b or a repetition a/n`);
    const start = map(Number(match[1]), match[1] as string);
    const end = match[2] === undefined ? (match[3] === undefined ? start : max) : map(Number(match[2]), match[2]);
    if (start < min || start > max || end > max) fail(`${what} ${item} is outside ${min}..${max}`);
    if (end < start) fail(`${what} range ${item} runs backwards`);
    const result: CalendarItem = { start, end };
    if (match[2] === undefined && match[3] !== undefined) result.open = true;
    if (match[3] !== undefined) {
      const step = Number(match[3]);
      if (step === 0) fail(`${what} repetition ${item} has a step of 0`);
      result.step = step;
    }
    return result;
  });
}

/** The expression written back with two-digit fields and seconds, like systemd's normalized form. */
export function formatCalendar(spec: CalendarSpec): string {
  const date = `${formatField(spec.year, 4)}-${formatField(spec.month, 2)}-${formatField(spec.day, 2)}`;
  const time = `${formatField(spec.hour, 2)}:${formatField(spec.minute, 2)}:${formatField(spec.second, 2)}`;
  return [spec.weekdays ? formatWeekdays(spec.weekdays) : undefined, date, time, spec.timezone].filter(Boolean).join(" ");
}

function formatField(field: CalendarField, width: number): string {
  if (field === "*") return "*";
  const pad = (n: number) => String(n).padStart(width, "0");
  return field
    .map((item) => {
      const base = item.open || item.start === item.end ? pad(item.start) : `${pad(item.start)}..${pad(item.end)}`;
      return item.step === undefined ? base : `${base}/${item.step}`;
    })
    .join(",");
}

/** Sorted numbers as runs of consecutive values: [0,1,2,4] → [[0,2],[4,4]]. */
export function consecutiveRuns(values: number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const value of values) {
    const last = runs[runs.length - 1];
    if (last && value === last[1] + 1) last[1] = value;
    else runs.push([value, value]);
  }
  return runs;
}

/** Runs of three or more days become ranges, as systemd writes them: Mon..Wed,Fri. */
export function formatWeekdays(days: number[]): string {
  const name = (d: number) => WEEKDAY_NAMES[d] as string;
  return consecutiveRuns(days)
    .flatMap(([from, to]) => (to - from >= 2 ? [`${name(from)}..${name(to)}`] : Array.from({ length: to - from + 1 }, (_, i) => name(from + i))))
    .join(",");
}
