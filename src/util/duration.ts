/**
 * A duration such as 30s, 90m, 2h, 1d (or a bare number of seconds) in milliseconds; null when
 * `value` is not one. For command-line waits (`--lock-wait`), where seconds matter.
 */
export function parseDurationMs(value: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) return null;
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h" | "d"];
  return Math.round(Number(match[1]) * unitMs);
}
