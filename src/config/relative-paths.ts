import { isAbsolute, resolve } from "node:path";
import fg from "fast-glob";
import type { Config } from "./schema.js";

/**
 * Relative paths in a config file are relative to the file's own directory, not to wherever the
 * command happens to run (cron and systemd start elsewhere). Glob patterns get the directory
 * escaped so its characters never act as glob syntax.
 */
export function resolveRelativePaths(config: Config, baseDir: string): void {
  const local = config.storage.local;
  if (!isAbsolute(local.path)) local.path = resolve(baseDir, local.path);
  if (config.options.log_file && !isAbsolute(config.options.log_file)) config.options.log_file = resolve(baseDir, config.options.log_file);
  if (config.options.tmp_dir && !isAbsolute(config.options.tmp_dir)) config.options.tmp_dir = resolve(baseDir, config.options.tmp_dir);
  for (const remote of config.storage.remotes) {
    if (remote.type !== "sftp") continue;
    if (remote.private_key_file && !isAbsolute(remote.private_key_file)) remote.private_key_file = resolve(baseDir, remote.private_key_file);
    if (remote.known_hosts && !isAbsolute(remote.known_hosts)) remote.known_hosts = resolve(baseDir, remote.known_hosts);
  }
  for (const block of [config.encryption, ...config.instances.map((i) => i.encryption)]) {
    const age = block ? block.age : undefined;
    if (age?.recipients_file && !isAbsolute(age.recipients_file)) age.recipients_file = resolve(baseDir, age.recipients_file);
  }
  const base = fg.escapePath(resolve(baseDir));
  for (const instance of config.instances) {
    if (instance.type !== "files") continue;
    instance.paths = instance.paths.map((p) => (isAbsolute(p) ? p : `${base}/${p.replace(/^\.\//, "")}`));
  }
}
