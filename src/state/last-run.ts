import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { atomicWriteFile } from "../util/fs.js";

/**
 * The last-run state file: the one optional piece of state (options.state_dir). It holds each
 * instance's latest outcome, so a good run after a failed one can be reported as a recovery and
 * `status` can say how the last run went. Everything else stays in the sidecars.
 * Format: docs/monitoring.md "The last-run state file".
 */
export const LAST_RUN_FORMAT_VERSION = 1;

export const RUN_OUTCOMES = ["success", "warning", "failure"] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

const instanceStateSchema = z.object({
  outcome: z.enum(RUN_OUTCOMES),
  run_id: z.string(),
  completed_at: z.string(),
  /** Time of this instance's last run in which all its units succeeded; kept across failed runs. */
  last_success_at: z.string().nullable(),
});

export const lastRunSchema = z.object({
  format_version: z.literal(LAST_RUN_FORMAT_VERSION),
  server: z.string(),
  run_id: z.string(),
  command: z.string(),
  started_at: z.string(),
  completed_at: z.string(),
  outcome: z.enum(RUN_OUTCOMES),
  exit_code: z.number().int(),
  units: z.object({ total: z.number().int(), failed: z.number().int() }),
  notification_failures: z.number().int().default(0),
  instances: z.record(z.string(), instanceStateSchema),
});

export type LastRun = z.infer<typeof lastRunSchema>;
export type InstanceState = z.infer<typeof instanceStateSchema>;

/** `<state_dir>/last-run.<server>.json`: one file per server name, so one state_dir can serve several configs. */
export function lastRunPath(stateDir: string, server: string): string {
  return join(stateDir, `last-run.${server}.json`);
}

export type ReadResult = { ok: true; state: LastRun } | { ok: false; reason: "missing" | "unreadable" | "invalid"; problem: string };

/** The last run recorded for `server` in `stateDir`; never throws. */
export async function readLastRun(stateDir: string, server: string): Promise<ReadResult> {
  const path = lastRunPath(stateDir, server);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? { ok: false, reason: "missing", problem: `${path} does not exist (no run recorded yet)` } : { ok: false, reason: "unreadable", problem: `cannot read ${path} (${code ?? String(err)})` };
  }
  try {
    const parsed = lastRunSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { ok: true, state: parsed.data };
    return { ok: false, reason: "invalid", problem: `${path} is not a last-run file of this version` };
  } catch {
    return { ok: false, reason: "invalid", problem: `${path} is not JSON` };
  }
}

/**
 * Writes the state atomically (temp file, fsync, rename). The directory is never created here:
 * a missing one means "no state wanted" (systemd's StateDirectory or the package creates it).
 */
export async function writeLastRun(stateDir: string, state: LastRun): Promise<{ ok: true } | { ok: false; missing: boolean; problem: string }> {
  try {
    const dir = await stat(stateDir);
    if (!dir.isDirectory()) return { ok: false, missing: false, problem: `${stateDir} is not a directory` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === "ENOENT", problem: code === "ENOENT" ? `${stateDir} does not exist` : `cannot use ${stateDir} (${code ?? String(err)})` };
  }
  try {
    await atomicWriteFile(lastRunPath(stateDir, state.server), `${JSON.stringify(state, null, 2)}\n`, 0o644);
    return { ok: true };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, missing: false, problem: `cannot write ${lastRunPath(stateDir, state.server)} (${e.code ?? e.message})` };
  }
}
