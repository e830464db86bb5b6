import type { InstanceType } from "../config/schema.js";
import type { Source } from "./source.js";

/**
 * One source per instance type, loaded on first use: a files-only run never loads the
 * database clients' code (nor execa).
 */
const loaders: Record<InstanceType, () => Promise<Source>> = {
  files: async () => (await import("./files.js")).filesSource,
  postgres: async () => (await import("./postgres/source.js")).postgresSource,
  mysql: async () => (await import("./mysql/source.js")).mysqlSource,
};

export async function sourceFor(type: InstanceType): Promise<Source | undefined> {
  return loaders[type]?.();
}
