import type { Sidecar } from "../catalog/sidecar.js";
import type { PostgresInstance } from "../config/schema.js";
import { findPostgresTool, type PgTool, type PgToolName } from "../sources/postgres/tools.js";
import { OperationError } from "../util/errors.js";
import { parseVersion, pgClientProblem } from "./versions.js";

/**
 * The psql or pg_restore that will read this dump: at least as new as the pg_dump that wrote
 * it (from the sidecar), looked up like the backup does (pg_dump_path, PATH,
 * /usr/lib/postgresql/<major>/bin). Checked before anything is touched.
 */
export async function restoreClient(name: Extract<PgToolName, "psql" | "pg_restore">, sidecar: Sidecar, instance: PostgresInstance, signal?: AbortSignal): Promise<PgTool> {
  const dump = parseVersion(sidecar.dump_tool?.version);
  const search = { explicit: instance.pg_dump_path, signal };
  let tool: PgTool;
  try {
    tool = await findPostgresTool(name, dump?.major ?? null, search);
  } catch (err) {
    // None new enough: find whatever there is, so the message says what is installed.
    const any = await findPostgresTool(name, null, search).catch(() => null);
    if (!any) throw err;
    tool = any;
  }
  const client = parseVersion(tool.version.text);
  const problem = dump && client ? pgClientProblem(name, client, dump) : null;
  if (problem) throw new OperationError(`${problem} (found ${tool.file}); nothing was changed`);
  return tool;
}
