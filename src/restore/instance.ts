import type { Sidecar } from "../catalog/sidecar.js";
import { instanceName, type Config, type MysqlInstance, type PostgresInstance } from "../config/schema.js";
import { UsageError } from "../util/errors.js";

/**
 * The instance whose server receives a database restore: the one named by -i, else the one the
 * backup came from (by id). Its type must match the archive's.
 */
export function restoreInstance(config: Config, sidecar: Sidecar, wanted: string | undefined): PostgresInstance | MysqlInstance {
  const type = sidecar.instance.type;
  const found = wanted === undefined ? config.instances.find((i) => i.id === sidecar.instance.id) : config.instances.find((i) => String(i.id) === wanted || instanceName(i) === wanted);
  const candidates = config.instances.filter((i) => i.type === type).map((i) => `${i.id} (${instanceName(i)})`).join(", ") || "none configured";
  if (!found) {
    if (wanted !== undefined) throw new UsageError(`unknown instance "${wanted}"; ${type} instances: ${candidates}`);
    throw new UsageError(`the backup came from instance ${sidecar.instance.id} (${sidecar.instance.name}), which is not in the config: pass -i with a ${type} instance to restore into (${candidates})`);
  }
  if (found.type !== type || found.type === "files") {
    throw new UsageError(`instance ${found.id} (${instanceName(found)}) is ${found.type}, but ${sidecar.archive.file} is a ${type} backup; ${type} instances: ${candidates}`);
  }
  return found;
}
