/**
 * Names the old Python tool gave its archives: `<YYYYMMDD>_<HHMMSS>_<label>.zip` (a database
 * dump, label = the database) or `.tar.gz` (a files backup). The time is the wall-clock time
 * of the machine that made it, with no zone.
 */
export interface LegacyName {
  /** Wall-clock parts as written, month 1-12. */
  wall: { year: number; month: number; day: number; hour: number; minute: number; second: number };
  label: string;
  format: "zip" | "tar.gz";
}

const PATTERN = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})_(.+)\.(zip|tar\.gz|tgz)$/;

export function parseLegacyName(fileName: string): LegacyName | null {
  const m = PATTERN.exec(fileName);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  return { wall: { year, month, day, hour, minute, second }, label: m[7] as string, format: m[8] === "zip" ? "zip" : "tar.gz" };
}

/**
 * The instant a wall-clock time names in an IANA zone (DST gaps resolve forward, like most
 * schedulers). Done with Intl so no time-zone library is needed.
 */
export function wallTimeToDate(wall: LegacyName["wall"], timeZone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // Two passes: the zone's offset at the guess, then at the corrected instant.
  let instant = asUtc - offsetMs(asUtc, timeZone);
  instant = asUtc - offsetMs(instant, timeZone);
  return new Date(instant);
}

/** The zone's offset from UTC at `instant`, in ms (positive east of Greenwich). */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return local - Math.floor(instant / 1000) * 1000;
}

/** Whether the runtime knows the zone (Intl throws a RangeError for unknown ones). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}
