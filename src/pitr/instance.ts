import { instanceName, type Config, type PostgresInstance } from "../config/schema.js";
import { selectInstances } from "../run/select.js";
import { openLocal, openRemotes, type StorageContext } from "../storage/registry.js";
import type { Storage } from "../storage/storage.js";
import { UsageError } from "../util/errors.js";
import { walPrefix } from "./wal-store.js";

/** The one instance -i names, which must be a PostgreSQL instance with pitr.enabled. */
export function pitrInstance(config: Config, wanted: string | undefined, command: string): PostgresInstance {
  if (wanted === undefined) throw new UsageError(`${command}: -i/--instance is required`);
  const [instance] = selectInstances(config, [wanted]);
  if (!instance || instance.type !== "postgres" || instance.pitr?.enabled !== true) {
    throw new UsageError(`${command}: instance "${wanted}" is not a PostgreSQL instance with pitr: { enabled: true }`);
  }
  return instance;
}

export function pitrWalPrefix(config: Config, instance: PostgresInstance): string {
  return walPrefix(config.server.name, instanceName(instance));
}

/** Local storage first, then every remote in config order (a remote that cannot be opened fails each operation). */
export async function pitrStorages(config: Config, ctx: StorageContext): Promise<Storage[]> {
  return [openLocal(config), ...(await openRemotes(config, ctx))];
}
