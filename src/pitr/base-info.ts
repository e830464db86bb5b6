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

/**
 * Start LSN and timeline from the backup_label pg_basebackup puts into its tar ("START WAL
 * LOCATION: 0/2000028 (file …)", "START TIMELINE: 1"), end LSN from the backup_manifest's
 * WAL-Ranges (pg_basebackup --verbose prints neither with -X none).
 */
export function parseBackupFacts(label: string, manifestTail: string): Pick<BasePitrInfo, "start_lsn" | "stop_lsn" | "timeline"> {
  const start = /^START WAL LOCATION: ([0-9A-F]+\/[0-9A-F]+)/im.exec(label);
  const timeline = /^START TIMELINE: (\d+)/im.exec(label);
  const ranges = [...manifestTail.matchAll(/"Timeline":\s*(\d+),\s*"Start-LSN":\s*"([0-9A-F]+\/[0-9A-F]+)",\s*"End-LSN":\s*"([0-9A-F]+\/[0-9A-F]+)"/gi)];
  const stop = ranges.at(-1)?.[3];
  if (!start || !stop) throw new OperationError(`the base backup's backup_label or backup_manifest does not name its start and end points (label: ${JSON.stringify(label.slice(0, 200))})`);
  return { start_lsn: start[1] as string, timeline: Number(timeline?.[1] ?? ranges.at(-1)?.[1] ?? 1), stop_lsn: stop };
}
