import { Readable } from "node:stream";
import type { RunContext } from "../run/context.js";
import { query, type QueryContext } from "../sources/postgres/queries.js";
import { OperationError } from "../util/errors.js";
import { withDumpEntry } from "./dump-entry.js";
import { feedCommand } from "./feed.js";
import { planGlobals } from "./pg-globals-plan.js";
import { psqlRestoreCommand } from "./postgres-commands.js";
import type { PreparedArchive } from "./prepare.js";
import { restrictedPsqlInput, restrictKey } from "./psql-restricted.js";

/** What a globals restore did to the roles of the target server. */
export interface RolesOutcome {
  created: string[];
  changed: string[];
  /** Existing roles left as they were (no --globals-overwrite), and the connecting role. */
  skipped: string[];
}

/** pg_dumpall -g of a few thousand roles is a few MB; anything far bigger is not such a script. */
const MAX_GLOBALS_BYTES = 64 * 1024 * 1024;

const quoteList = (names: readonly string[]) => names.map((n) => JSON.stringify(n)).join(", ");

/**
 * A pg_dumpall --globals-only script onto the target server, statement by statement as
 * pg-globals-plan.ts decides: the connecting role is never altered, existing roles only with
 * `overwrite`; what was created, changed and skipped is reported. Statements run loose (a
 * tablespace whose directory is missing fails alone); their errors become warnings.
 */
export async function restoreGlobals(
  globals: PreparedArchive,
  run: { psql: string; env: Record<string, string>; admin: QueryContext; overwrite: boolean },
  ctx: RunContext,
): Promise<{ roles: RolesOutcome; warnings: string[] }> {
  const script = await readScript(globals, ctx.signal);
  const roles = async () => new Set((await query(run.admin, "SELECT rolname FROM pg_catalog.pg_roles", 1)).map((r) => r[0] ?? ""));
  const before = await roles();
  const who = (await query(run.admin, "SELECT session_user, current_user", 2))[0] ?? [];
  const plan = planGlobals(script, { existing: before, connecting: new Set(who), overwrite: run.overwrite });
  if (plan.metaCommands.length > 0) {
    throw new OperationError(`${globals.name} holds psql meta-commands (${plan.metaCommands.join(" ")}) that pg_dumpall never writes: refused, nothing was changed`);
  }
  const errors: string[] = [];
  const body = Buffer.from(plan.statements.map((s) => `${s}\n`).join(""));
  // psql in restricted mode as for any dump: the filtered script holds no meta-command, and psql refuses them anyway.
  await feedCommand(psqlRestoreCommand(run.psql, run.env, false), restrictedPsqlInput(Readable.from([body]), restrictKey()), {
    redactor: ctx.redactor,
    signal: ctx.signal,
    onStderrLine: (line) => /\bERROR:/.test(line) && errors.push(line),
  });
  const after = await roles();
  const outcome: RolesOutcome = {
    created: plan.creates.filter((r) => after.has(r) && !before.has(r)),
    changed: plan.changes,
    skipped: [...plan.connectingNamed, ...plan.skipped.filter((r) => !plan.connectingNamed.includes(r))],
  };
  const warnings: string[] = [];
  if (plan.skipped.length > 0) {
    warnings.push(`globals: ${plan.skipped.length} role${plan.skipped.length === 1 ? "" : "s"} that exist here left as they are (attributes, password, settings, memberships): ${quoteList(plan.skipped)}; --globals-overwrite replaces them`);
  }
  if (plan.connectingNamed.length > 0) warnings.push(`globals: ${quoteList(plan.connectingNamed)}, the role this restore connects as, is never changed`);
  if (plan.unexpected.length > 0) warnings.push(`globals: ${plan.unexpected.length} statement${plan.unexpected.length === 1 ? "" : "s"} of a kind pg_dumpall does not write skipped (${[...new Set(plan.unexpected)].slice(0, 5).join(", ")})`);
  if (errors.length > 0) warnings.push(`globals: ${errors.length} statement${errors.length === 1 ? "" : "s"} failed and were skipped (e.g. ${errors[0]?.replace(/^.*?ERROR:\s*/, "")})`);
  return { roles: outcome, warnings };
}

async function readScript(globals: PreparedArchive, signal?: AbortSignal): Promise<string> {
  return withDumpEntry(
    globals.path,
    globals.sidecar,
    async (entry) => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry.body()) {
        size += chunk.length;
        if (size > MAX_GLOBALS_BYTES) throw new OperationError(`${globals.name}: the globals script is larger than ${MAX_GLOBALS_BYTES / 1024 / 1024} MiB; refused, nothing was changed`);
        chunks.push(chunk);
      }
      return Buffer.concat(chunks).toString("utf8");
    },
    signal,
  );
}
