import { UsageError } from "../util/errors.js";

/**
 * --until: ISO-8601 with "Z" or an offset (2026-11-30T14:05:00Z, 2026-11-30 14:05:00+02:00), or
 * a local time without one (2026-11-30 14:05[:00[.mmm]], read in this machine's time zone).
 */
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export function parseUntil(text: string): Date {
  const m = ISO_RE.exec(text.trim());
  if (!m) throw new UsageError(`--until ${JSON.stringify(text)}: expected an ISO-8601 time such as 2026-11-30T14:05:00Z, 2026-11-30T16:05:00+02:00 or a local 2026-11-30 14:05:00`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms] as const;
  let date: Date;
  if (zone === undefined) date = new Date(...parts);
  else {
    const utc = Date.UTC(...parts);
    let offsetMin = 0;
    if (zone.toUpperCase() !== "Z") {
      const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
      if (!z) throw new UsageError(`--until ${JSON.stringify(text)}: bad offset ${zone}`);
      offsetMin = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
    }
    date = new Date(utc - offsetMin * 60_000);
  }
  // Date rolls 2026-02-30 over to March: a day or hour that does not exist is a typo.
  const check = zone === undefined ? [date.getFullYear(), date.getMonth(), date.getDate(), date.getHours(), date.getMinutes()] : null;
  if (Number.isNaN(date.getTime()) || (check && check.some((v, i) => v !== parts[i]))) {
    throw new UsageError(`--until ${JSON.stringify(text)}: no such time${zone === undefined ? " in this time zone" : ""}`);
  }
  if (zone !== undefined && (Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59)) throw new UsageError(`--until ${JSON.stringify(text)}: no such time`);
  return date;
}

/**
 * The value written as recovery_target_time: UTC with an explicit "+00" offset, because
 * PostgreSQL 15 refuses a timestamp ending in "Z" (it accepts +00, +00:00 or " UTC").
 */
export function pgTargetTime(date: Date): string {
  return `${date.toISOString().replace("T", " ").replace("Z", "")}+00`;
}
