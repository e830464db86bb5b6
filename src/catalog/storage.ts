import type { Config } from "../config/schema.js";
import { LocalStorage } from "../storage/local.js";
import type { Storage } from "../storage/storage.js";
import { openRemote, type StorageContext } from "../storage/registry.js";
import { UsageError } from "../util/errors.js";
import { Redactor } from "../util/redact.js";

/**
 * The one place list, restore and verify open the storage they read from: local storage by
 * default, or the one named by --storage. Remote storages plug in here.
 */
export async function openReadStorage(config: Config, name?: string, ctx: StorageContext = { redactor: new Redactor() }): Promise<Storage> {
  if (name === undefined || name === "local") return new LocalStorage(config.storage.local.path);
  const remote = config.storage.remotes.find((r) => r.name === name);
  const valid = ["local", ...config.storage.remotes.map((r) => r.name)].join(", ");
  if (!remote) throw new UsageError(`unknown storage "${name}"; valid: ${valid}`);
  return openRemote(remote, ctx);
}
