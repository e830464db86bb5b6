import type { InstanceType } from "../config/schema.js";

/** What happened to one unit (one archive) of a run. */
export interface UnitOutcome {
  instance: { id: number; name: string; type: InstanceType };
  kind: "database" | "globals" | "files" | "instance";
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
}
