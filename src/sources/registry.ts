import type { InstanceType } from "../config/schema.js";
import { filesSource } from "./files.js";
import { mysqlSource } from "./mysql/source.js";
import { postgresSource } from "./postgres/source.js";
import type { Source } from "./source.js";

/** One source per instance type; the database sources register here as they land. */
const sources: Partial<Record<InstanceType, Source>> = {
  files: filesSource,
  postgres: postgresSource,
  mysql: mysqlSource,
};

export function sourceFor(type: InstanceType): Source | undefined {
  return sources[type];
}
