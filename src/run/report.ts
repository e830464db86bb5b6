import type { InstanceType } from "../config/schema.js";
import type { MetricsOutcome } from "../metrics/publish.js";
import type { NotificationOutcome } from "../notify/notice.js";
import type { CleanupSummary } from "../retention/summary.js";
import type { ProbeOutcome } from "./probe.js";
import type { RemoteOutcome } from "./replicate.js";
import type { SweptItem } from "./sweep.js";

/** What happened to one unit (one archive) of a run. */
export interface UnitOutcome {
  instance: { id: number; name: string; type: InstanceType };
  kind: "database" | "globals" | "files" | "basebackup" | "instance";
  database: string | null;
  status: "success" | "failed" | "planned";
  source?: string;
  archive?: string;
  sidecar?: string;
  size_bytes?: number;
  sha256?: string;
  duration_ms: number;
  warnings: string[];
  error?: string;
  /** One entry per remote in storage.remotes: the copy's outcome there. */
  remotes?: RemoteOutcome[];
  /** storage.local.keep: false removed the local copy after every remote verified it. */
  local_deleted?: boolean;
}

/** Every unit's outcome; `ok` only when all of them succeeded. */
export interface RunReport {
  run_id: string;
  tool_version: string;
  server: string;
  dry_run: boolean;
  started_at: string;
  completed_at: string;
  duration_ms: number;
  ok: boolean;
  interrupted: boolean;
  units: UnitOutcome[];
  /** Dry runs: each remote's reachability and write probe. */
  remotes?: ProbeOutcome[];
  /** Leftovers of earlier killed runs removed by this one (not on dry runs). */
  swept?: SweptItem[];
  /** Notifications sent for this run (start and end), each sent or failed; never part of `ok`. */
  notifications?: NotificationOutcome[];
  /** Metrics pushed / written after the run; never part of `ok`. */
  metrics?: MetricsOutcome[];
  /** The retention cleanup that followed the backup (retention/summary.ts); absent when none ran. */
  cleanup?: CleanupSummary;
}
