import { resolve } from "node:path";
import type { Config } from "../config/schema.js";

/**
 * The run lock of a config: one backup (or cleanup) per server name and local storage at a time.
 * Two config files naming the same server and storage write the same catalogue, so they share
 * it; the same server name over another storage does not collide.
 */
export function runLockName(config: Config): string {
  return `run\0${config.server.name}\0${resolve(config.storage.local.path)}`;
}

/** What the refusal calls the run lock. */
export function runLockLabel(config: Config): string {
  return `server "${config.server.name}" (storage ${resolve(config.storage.local.path)})`;
}

/** A restore's lock: one restore into the same target (database on a server, or directory) at a time. */
export function restoreLockName(server: string, target: string): string {
  return `restore\0${server}\0${target}`;
}
