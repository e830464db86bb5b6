import { dirname, join } from "node:path";
import type { Config } from "../config/schema.js";
import { scheduleSchema, type Schedule } from "../config/schedule-schema.js";

/**
 * Everything the generated units and cron line need from a config, gathered in one place:
 * names, where the installed config and program live, what the run may write, which
 * credentials systemd hands it.
 */
export interface SchedulePlan {
  server: string;
  location?: string;
  /** vya-backupdb-<server>: the .service and .timer share it. */
  unitName: string;
  configPath: string;
  execPath: string;
  schedule: Schedule;
  /** Writable under ProtectSystem=strict: local storage, scratch, log and state directories. */
  writablePaths: string[];
  /** `${credential:NAME}` references, each loaded from `<credentialsDir>/NAME`. */
  credentials: { name: string; path: string }[];
  credentialsDir: string;
}

export interface PlanOptions {
  /** Where the config will be read from by the scheduled run (default: where it was loaded). */
  configPath: string;
  execPath: string;
  /** Default /etc/vya-backupdb/credentials/<server>. */
  credentialsDir?: string | undefined;
}

export const DEFAULT_SCHEDULE = scheduleSchema.parse({ on_calendar: "*-*-* 02:30" });

export function schedulePlan(config: Config, credentialNames: string[], options: PlanOptions): SchedulePlan {
  const server = config.server.name;
  const credentialsDir = options.credentialsDir ?? join("/etc/vya-backupdb/credentials", server);
  // state_dir belongs to the status/state feature; read loosely so this file does not depend on it.
  const stateDir = (config.options as { state_dir?: unknown }).state_dir;
  const writable = [
    config.storage.local.path,
    config.options.tmp_dir,
    config.options.log_file === undefined ? undefined : dirname(config.options.log_file),
    typeof stateDir === "string" ? stateDir : undefined,
  ].filter((p): p is string => p !== undefined);
  return {
    server,
    ...(config.server.location ? { location: config.server.location } : {}),
    unitName: `vya-backupdb-${server}`,
    configPath: options.configPath,
    execPath: options.execPath,
    schedule: config.schedule ?? DEFAULT_SCHEDULE,
    writablePaths: [...new Set(writable)],
    credentials: [...new Set(credentialNames)].sort().map((name) => ({ name, path: join(credentialsDir, name) })),
    credentialsDir,
  };
}
