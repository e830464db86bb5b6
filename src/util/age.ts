/** An age such as 90m, 36h, 7d, 2w in milliseconds; null when `value` is not one. */
export function parseAgeMs(value: string): number | null {
  const age = /^(\d+)\s*(m|h|d|w)$/.exec(value.trim());
  if (!age) return null;
  const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[age[2] as "m" | "h" | "d" | "w"];
  return Number(age[1]) * unitMs;
}

export const AGE_RE = /^\s*\d+\s*(m|h|d|w)\s*$/;
