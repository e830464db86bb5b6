import { z } from "zod";
import { OperationError } from "../util/errors.js";

/** The sidecar's `pitr` block of a base backup: what restore --until and the chain check read. */
export const basePitrSchema = z.object({
  start_lsn: z.string(),
  stop_lsn: z.string(),
  timeline: z.number().int().positive(),
  start_time: z.string(),
  /** When pg_basebackup had finished (after the server's backup stop): the earliest valid target. */
  stop_time: z.string(),
  system_identifier: z.string(),
  segment_size: z.number().int().positive(),
});

export type BasePitrInfo = z.infer<typeof basePitrSchema>;

/** Start / end LSN and timeline from pg_basebackup --verbose's stderr. */
export function parseBaseBackupLog(lines: readonly string[]): Pick<BasePitrInfo, "start_lsn" | "stop_lsn" | "timeline"> {
  let start: RegExpExecArray | null = null;
  let stop: RegExpExecArray | null = null;
  for (const line of lines) {
    start ??= /write-ahead log start point: ([0-9A-F]+\/[0-9A-F]+) on timeline (\d+)/i.exec(line);
    stop ??= /write-ahead log end point: ([0-9A-F]+\/[0-9A-F]+)/i.exec(line);
  }
  if (!start || !stop) throw new OperationError(`pg_basebackup did not report its start and end points (stderr: ${JSON.stringify(lines.slice(-5).join(" | "))})`);
  return { start_lsn: start[1] as string, timeline: Number(start[2]), stop_lsn: stop[1] as string };
}
