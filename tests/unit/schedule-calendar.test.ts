import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseCalendar } from "../../src/schedule/calendar.js";

/**
 * systemd's own verdicts and normalized forms, the reference our parser must agree with: one
 * systemd-analyze call for every expression (it reports each, failing ones on stderr).
 */
function systemdCalendar(expressions: string[]): Map<string, { ok: boolean; normalized?: string }> {
  const result = spawnSync("systemd-analyze", ["calendar", ...expressions], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
  const verdicts = new Map<string, { ok: boolean; normalized?: string }>();
  for (const match of result.stderr.matchAll(/Failed to parse calendar specification '(.*)'/g)) verdicts.set(match[1] as string, { ok: false });
  // One block per accepted expression, in order; "Original form" is left out when it equals the normalized one.
  const blocks = result.stdout.split(/\n\n/).filter((block) => block.includes("Normalized form"));
  const accepted = expressions.filter((e) => !verdicts.has(e));
  expect(blocks).toHaveLength(accepted.length);
  accepted.forEach((expression, i) => verdicts.set(expression, { ok: true, normalized: /Normalized form: (.*)/.exec(blocks[i] as string)?.[1] }));
  return verdicts;
}

const VALID = [
  "daily", "Daily", "weekly", "monthly", "hourly", "minutely", "quarterly", "yearly",
  "Mon..Fri *-*-* 02:30", "Mon..Fri 02:30", "Mon-Fri 02:30", "monday 02:30", "Mon,Wed..Fri *-*-* 2:3",
  "Tue,Mon 1:00", "Mon,Tue,Wed,Fri 1:00", "Sun,Mon..Fri 1:00", "Sat,Sun 0..5:00", "Mon..Mon 00:00",
  "2:30", "*-*-* 02:30:00", "*-*-1,15 03:00", "01-15 03:00", "2024-*-* 1:0:0", "24-*-* 1:0", "*-02-30 00:00",
  "*-*-* 1,2,3:00", "*:0/15", "00:00/30", "*-1/2-*", "*-*-* 5/2:00", "*:*", "*-*-* *:*:*",
  "02:30 UTC", "*-*-* 03:00 utc", "02:30 Europe/Paris", "00:00 America/Sao_Paulo", "Mon 02:30 Europe/Paris", "Mon  02:30",
  "Mon *-*-01..07 02:00", "Mon..Fri",
];
const INVALID = [
  "", "bogus", "*:*/15", "*-*-* 24:00", "*-13-01", "02:30 Mars/Base", "*-*-01..07 Mon 02:00", "*-*-* 2:60",
  "*-*-* 02:30 ", " 02:30", "Fri..Mon 00:00", "*-*-* 3..1:00", "*-*-* 02", "*-*-* 02:30:60", "1969-01-01",
  "*-*-* 00:00/0", "*-*-0 1:00", "*,1-*-* 1:00", "05..02:00", "*-*-* 02:30 +0200", "0,30:00", "Mon..Tue..Wed 1:00", "Funday 1:00",
];

describe("calendar expressions: our parser agrees with systemd-analyze calendar", () => {
  const systemd = systemdCalendar([...VALID, ...INVALID]);
  const verdict = (expression: string) => systemd.get(expression) ?? { ok: false, normalized: "(not reported by systemd-analyze)" };

  it.each(VALID)("accepts %j with systemd's normalized form", (expression) => {
    const ours = parseCalendar(expression);
    const reference = verdict(expression);
    expect(reference.ok).toBe(true);
    expect(ours).toMatchObject({ ok: true, normalized: reference.normalized });
  });

  it.each(INVALID)("rejects %j with a reason, as systemd does", (expression) => {
    const ours = parseCalendar(expression);
    expect(verdict(expression).ok).toBe(false);
    expect(ours.ok).toBe(false);
    if (!ours.ok) expect(ours.error.length).toBeGreaterThan(5);
  });

  it("keeps the parts cron needs: weekdays Monday = 0, items with steps", () => {
    const result = parseCalendar("Mon..Fri *-*-* 02:30");
    expect(result.ok && result.spec).toMatchObject({ weekdays: [0, 1, 2, 3, 4], hour: [{ start: 2, end: 2 }], minute: [{ start: 30, end: 30 }] });
  });
});
