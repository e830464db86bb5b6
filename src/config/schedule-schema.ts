import { z } from "zod";
import { parseCalendar } from "../schedule/calendar.js";
import { TIMESPAN_RE } from "../schedule/timespan.js";

/**
 * `schedule:` — when the systemd timer (or cron line) that `vya-backupdb schedule print|install`
 * generates starts a backup. The tool itself never waits for a time: the block only shapes units.
 */
const timespan = (what: string) => z.string().regex(TIMESPAN_RE, `${what}: expected a time span such as 90s, 15m, 6h, 1d`);

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const scheduleSchema = z
  .object({
    on_calendar: z
      .string()
      .superRefine((value, ctx) => {
        const parsed = parseCalendar(value);
        if (!parsed.ok) ctx.addIssue({ code: "custom", message: `not a systemd calendar expression: ${parsed.error} (e.g. "Mon..Fri *-*-* 02:30", "daily")` });
      })
      .describe('systemd calendar expression (systemd.time(7)), e.g. "*-*-* 02:30" or "Mon..Fri *-*-* 02:30".'),
    randomized_delay: timespan("randomized_delay").default("15m").describe("Random delay added to each start (RandomizedDelaySec=, fixed per host and unit), so a fleet does not start at once; 0 for none."),
    timezone: z
      .string()
      .refine(validZone, { message: "unknown time zone (an IANA name such as Europe/Paris, or UTC)" })
      .optional()
      .describe("Time zone of on_calendar (IANA name); default: the host's."),
    timeout: timespan("timeout").default("6h").describe("A run still going after this long is stopped (TimeoutStartSec=)."),
    on_failure: z
      .string()
      .regex(/^[A-Za-z0-9:_.@-]+\.(service|target)$/, "expected a systemd unit name ending in .service or .target")
      .optional()
      .describe("Unit started when a scheduled run fails (OnFailure=); default: vya-backupdb-failure@.service, which writes an error line to the journal."),
  })
  .strict()
  .superRefine((schedule, ctx) => {
    const parsed = parseCalendar(schedule.on_calendar);
    if (parsed.ok && parsed.spec.timezone && schedule.timezone) {
      ctx.addIssue({ code: "custom", path: ["timezone"], message: `on_calendar names a time zone (${parsed.spec.timezone}) already: keep one of the two` });
    }
  });

export type Schedule = z.infer<typeof scheduleSchema>;
