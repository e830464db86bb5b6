import type { Config } from "../config/schema.js";
import { findPostgresTool } from "../sources/postgres/tools.js";
import { withDumpEntry } from "../restore/dump-entry.js";
import { feedCommand } from "../restore/feed.js";
import { parseVersion } from "../restore/versions.js";
import type { Logger } from "../util/logger.js";
import type { Redactor } from "../util/redact.js";
import { restoreTestDatabase } from "./restore-test-db.js";
import { restoreTestFiles } from "./restore-test-files.js";
import type { VerifyHooks } from "./verify.js";

export interface HookContext {
  config: Config;
  redactor: Redactor;
  logger: Logger;
  signal: AbortSignal;
}

/** The checks that need tools or servers, bound to the config (pg_dump_path, instances). */
export function verifyHooks(ctx: HookContext): VerifyHooks {
  return {
    listCustomDump: async (path, sidecar) => {
      const instance = ctx.config.instances.find((i) => i.id === sidecar.instance.id && i.type === "postgres");
      const dumpMajor = parseVersion(sidecar.dump_tool?.version)?.major ?? null;
      const pgRestore = await findPostgresTool("pg_restore", dumpMajor, { explicit: instance?.type === "postgres" ? instance.pg_dump_path : undefined, signal: ctx.signal });
      const { stdout } = await withDumpEntry(
        path,
        sidecar,
        (entry) => feedCommand({ file: pgRestore.file, args: ["--list"] }, entry.body(), { captureStdout: true, mayStopEarly: true, redactor: ctx.redactor, signal: ctx.signal }),
        ctx.signal,
      );
      const items = stdout.split("\n").filter((line) => /^\d+;/.test(line)).length;
      return `pg_restore ${pgRestore.version.text} --list reads its table of contents (${items} items)`;
    },
    restoreTest: async (path, sidecar) => {
      if (sidecar.kind === "files") return restoreTestFiles(path, sidecar, { scratchDir: ctx.config.options.tmp_dir, signal: ctx.signal });
      return restoreTestDatabase(path, sidecar, ctx);
    },
  };
}
