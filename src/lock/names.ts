import { resolve } from "node:path";
import type { Config } from "../config/schema.js";

/**
 * The run lock of a config: one backup (or cleanup) per config file and server name at a time.
 * Per file, not per storage: separate config files may share a storage on purpose (one per
 * group of instances), and the sweep already keeps a live run's temporary files.
 */
export function runLockName(config: Config, configFile: string): string {
  return `run\0${config.server.name}\0${resolve(configFile)}`;
}

/** What the refusal calls the run lock. */
export function runLockLabel(config: Config, configFile: string): string {
  return `server "${config.server.name}" (config ${resolve(configFile)})`;
}

/** A restore's lock: one restore into the same target (database on a server, or directory) at a time. */
export function restoreLockName(server: string, target: string): string {
  return `restore\0${server}\0${target}`;
}
