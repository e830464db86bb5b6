import { z } from "zod";
import { AGE_RE } from "../util/age.js";

/** A zone name Intl knows (IANA, e.g. America/Sao_Paulo, or UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const count = z.number().int().min(0);

/** The rules that keep something; min_keep alone is a floor, not a policy. */
export const KEEP_RULES = ["keep_last", "keep_daily", "keep_weekly", "keep_monthly", "keep_yearly", "keep_within"] as const;

/**
 * The retention block (global, per instance, per remote). Rules are independent: a backup is
 * kept if any rule keeps it. A block whose rules keep nothing is a config error.
 */
export const retentionSchema = z
  .object({
    keep_last: count.optional().describe("The N newest backups."),
    keep_daily: count.optional().describe("The newest backup of each of the last N calendar days that have one."),
    keep_weekly: count.optional().describe("The newest backup of each of the last N ISO weeks (Monday first) that have one."),
    keep_monthly: count.optional().describe("The newest backup of each of the last N calendar months that have one."),
    keep_yearly: count.optional().describe("The newest backup of each of the last N calendar years that have one."),
    keep_within: z
      .string()
      .regex(AGE_RE, "expected an age such as 36h, 7d, 2w")
      .optional()
      .describe("Every backup newer than the newest backup minus this age (never measured from now)."),
    min_keep: z.number().int().min(1).default(1).describe("Never fewer backups than this per group."),
    max_delete: z
      .union([count, z.string().regex(/^\d+(\.\d+)?%$/, 'expected a count (10) or a percentage ("50%")')])
      .optional()
      .describe('Refuse a cleanup that would delete more than this many backups of a group (a count, or "50%" of the group), unless --force.'),
    timezone: z
      .string()
      .refine(isTimeZone, { message: "unknown time zone (expected an IANA name such as America/Sao_Paulo, or UTC)" })
      .optional()
      .describe("Zone of the calendar days, weeks, months and years; default: the system's zone."),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const keeps = KEEP_RULES.some((rule) => {
      const value = policy[rule];
      return typeof value === "number" ? value > 0 : value !== undefined && !/^\s*0+\s*[mhdw]\s*$/.test(value);
    });
    if (!keeps) ctx.addIssue({ code: "custom", message: `a retention policy must keep something: set at least one of ${KEEP_RULES.join(", ")} above 0` });
  });

export type RetentionPolicy = z.infer<typeof retentionSchema>;
