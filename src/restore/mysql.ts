import type { MysqlInstance } from "../config/schema.js";
import type { RunContext } from "../run/context.js";
import { sqlString } from "../sources/mysql/commands.js";
import { withMysqlConnection } from "../sources/mysql/connection.js";
import { databaseExists, listTables, mysqlQuery, type MysqlQueryContext } from "../sources/mysql/queries.js";
import { findClientTool, findDumpTool, type MysqlTool } from "../sources/mysql/tools.js";
import { describeError, OperationError } from "../util/errors.js";
import { withDumpEntry } from "./dump-entry.js";
import { feedCommand } from "./feed.js";
import type { PreparedArchive } from "./prepare.js";
import type { DatabaseRestoreSummary, RestoreMode } from "./run.js";
import { rollbackCommand, takeSafetyBackup, type SafetyBackup } from "./safety.js";
import { mysqlDropCommand } from "./cleanup-commands.js";
import { sandboxedClient } from "./mysql-sandbox.js";
import { mysqlIdent } from "./sql-quote.js";
import { mysqlClientProblem, parseVersion } from "./versions.js";

export interface MysqlRestoreRequest {
  archive: PreparedArchive;
  instance: MysqlInstance;
  target: string;
  mode: RestoreMode;
  force: boolean;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * A MySQL/MariaDB dump (no CREATE DATABASE/USE in it) into `target` through the mariadb/mysql
 * client, credentials in the temporary defaults file. DDL is not transactional there, so a
 * failure is undone by dropping what was restored: a created database is dropped, an existing
 * one is left empty (with its character set), and the safety backup says how to get it back.
 */
export async function restoreMysql(req: MysqlRestoreRequest, ctx: RunContext): Promise<DatabaseRestoreSummary & { warnings: string[] }> {
  const { archive, instance, target } = req;
  const sidecar = archive.sidecar;
  const client = await mysqlClient(instance, ctx.signal);
  const dumpVersion = parseVersion(sidecar.dump_tool?.version);
  const clientVersion = parseVersion(client.client.version);
  const problem = dumpVersion && clientVersion ? mysqlClientProblem({ flavour: client.client.flavour, version: clientVersion }, sidecar.dump_tool?.name ?? "", dumpVersion) : null;
  if (problem) throw new OperationError(`${problem} (found ${client.file}); nothing was changed`);
  const sandbox = await sandboxedClient(client, ctx.signal);
  const where = instance.socket ? `socket ${instance.socket}` : `${instance.host}:${instance.port}`;

  return withMysqlConnection(instance, client.client.flavour, async (connectionArgs) => {
    const q: MysqlQueryContext = { client: client.file, connectionArgs, signal: ctx.signal, redactor: ctx.redactor };
    const exists = await databaseExists(q, target);
    const tables = exists ? (await listTables(q, target)).length : 0;
    if (tables > 0 && !req.force) {
      throw new OperationError(
        `database "${target}" on ${where} exists and is not empty (${tables} tables or views): pass --force to replace it` +
          ` (--mode safe, the default, backs it up first), --target NAME to restore beside it, or --mode test; nothing was changed`,
      );
    }
    let safety: SafetyBackup | null = null;
    if (req.mode === "safe" && tables > 0) safety = await takeSafetyBackup(instance, target, ctx);

    const charset = exists ? await charsetOf(q, target) : "";
    // Also used to undo a failed restore, so it runs even after an interrupt (no signal).
    const recreate = async () => {
      const undo = { ...q, signal: undefined };
      await mysqlQuery(undo, `DROP DATABASE IF EXISTS ${mysqlIdent(target)}`);
      if (exists) await mysqlQuery(undo, `CREATE DATABASE ${mysqlIdent(target)}${charset}`);
    };
    if (tables > 0) await recreate();
    else if (!exists) await mysqlQuery(q, `CREATE DATABASE ${mysqlIdent(target)}`);
    // The dump holds no CREATE DATABASE: the recorded default character set and collation.
    const recorded = recordedCharset(sidecar);
    if (recorded) await mysqlQuery(q, `ALTER DATABASE ${mysqlIdent(target)}${recorded}`);

    const total = sidecar.contents.reduce((sum, e) => sum + e.size, 0);
    let done = 0;
    try {
      await withDumpEntry(
        archive.path,
        sidecar,
        (entry) =>
          feedCommand({ file: client.file, args: [...connectionArgs, ...sandbox.args, "--default-character-set=utf8mb4", `--database=${target}`], env: sandbox.env }, entry.body(), {
            redactor: ctx.redactor,
            signal: ctx.signal,
            onBytes: (n) => {
              done += n;
              req.onProgress?.(done, total);
            },
          }),
        ctx.signal,
      );
    } catch (err) {
      const undo = await recreate().then(
        () => (exists ? `"${target}" was left empty` : `the database "${target}" it had created was dropped`),
        async (undoErr: unknown) => {
          const state = await whatIsLeft({ ...q, signal: undefined }, target);
          return `undoing it failed (${describeError(undoErr)}): ${state}; drop it with: ${mysqlDropCommand(instance, client.file, target)}`;
        },
      );
      const back = tables > 0 ? (safety ? `; its previous content is in the safety backup: ${rollbackCommand(safety, target, ctx.configFile, ctx.identityFile)}` : "; its previous content was replaced (--mode fast: no safety backup)") : "";
      throw new OperationError(`restore of ${archive.name} into "${target}" failed; ${undo}${back}`, { cause: err });
    }
    return {
      server: where,
      created: !exists,
      replaced: tables > 0,
      tables: (await listTables(q, target)).filter((t) => !t.view).length,
      safety_backup: safety?.archive ?? null,
      rollback: safety ? rollbackCommand(safety, target, ctx.configFile, ctx.identityFile) : null,
      globals_restored: null,
      warnings: [],
    };
  });
}

/** What a failed restore whose undo failed too left in `database`, as far as the server still answers. */
async function whatIsLeft(q: MysqlQueryContext, database: string): Promise<string> {
  try {
    if (!(await databaseExists(q, database))) return `"${database}" no longer exists`;
    const tables = (await listTables(q, database)).length;
    return `"${database}" still exists with ${tables} table${tables === 1 ? "" : "s"}, holding what was restored before the failure (MariaDB/MySQL commit each statement)`;
  } catch {
    return `whether "${database}" still exists, and with what, is unknown (the server does not answer)`;
  }
}

/** The client beside dump_path when set, else mariadb (then mysql) on PATH. */
async function mysqlClient(instance: MysqlInstance, signal?: AbortSignal): Promise<MysqlTool> {
  if (instance.dump_path) {
    const dump = await findDumpTool({ explicit: instance.dump_path, signal });
    return findClientTool({ signal }, dump);
  }
  return findClientTool({ signal });
}

/** " CHARACTER SET x COLLATE y" recorded at backup time, if any. */
function recordedCharset(sidecar: PreparedArchive["sidecar"]): string {
  const props = sidecar.database_properties;
  if (props?.engine !== "mysql") return "";
  const safe = (v: string) => /^\w+$/.test(v);
  return safe(props.character_set) && safe(props.collation) ? ` CHARACTER SET ${props.character_set} COLLATE ${props.collation}` : "";
}

/** " CHARACTER SET x COLLATE y" of an existing database, so recreating it keeps them. */
async function charsetOf(q: MysqlQueryContext, database: string): Promise<string> {
  const rows = await mysqlQuery(q, `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${sqlString(database)}`);
  const [cs, coll] = rows[0] ?? [];
  const safe = (v: string | undefined) => (v && /^\w+$/.test(v) ? v : null);
  return safe(cs) && safe(coll) ? ` CHARACTER SET ${cs} COLLATE ${coll}` : "";
}
