/**
 * A time span as the config writes it (90s, 15m, 6h, 1d; a bare number is seconds, as systemd
 * reads it), in whole seconds: units get seconds, so systemd and cron read the same value.
 */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

export const TIMESPAN_RE = /^\s*(\d+)\s*(s|m|h|d)?\s*$/;

export function parseTimespanSeconds(value: string): number | null {
  const match = TIMESPAN_RE.exec(value);
  if (!match) return null;
  return Number(match[1]) * (UNIT_SECONDS[match[2] ?? "s"] as number);
}
