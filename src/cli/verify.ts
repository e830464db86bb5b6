import type { Command } from "commander";
import { listCatalog } from "../catalog/list.js";
import { loadAgeKeys } from "../crypto/keys.js";
import { locateArchive, type LocatedArchive } from "../catalog/locate.js";
import type { ResolvedArchive } from "../catalog/resolve.js";
import { openReadStorage } from "../catalog/storage.js";
import { EXIT, UsageError } from "../util/errors.js";
import { verifyHooks } from "../verify/hooks.js";
import { instancePrefix, readNewestRunRecord } from "../catalog/run-record.js";
import type { CatalogEntry } from "../catalog/list.js";
import { instanceName, type Config } from "../config/schema.js";
import { latestRun, type InstanceIdentity } from "../verify/latest.js";
import { verifyArchive, type VerifyResult } from "../verify/verify.js";
import { globalsOf } from "./globals.js";
import { openSession } from "./session.js";
import { withInterrupts } from "./signals.js";

interface VerifyFlags {
  file?: string;
  instance?: string;
  latest?: boolean;
  restoreTest?: boolean;
  storage?: string;
  identity?: string;
}

export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("check archives against their sidecars: size, sha256, readable end to end, dump complete")
    .option("-f, --file <archive>", "an archive path, or a name as `list` prints it")
    .option("-i, --instance <id|name>", "with --latest: the instance whose latest backup to verify")
    .option("--latest", "verify the instance's newest backup run: every unit it planned, each archive (PITR instance: and the WAL chain of every base backup)")
    .option("--restore-test", "also restore into scratch space (a scratch database, a temp directory) and compare")
    .option("--storage <name>", "the storage to read from (default: local)")
    .option("--identity <file>", "age identity file for encrypted archives: decrypt and check everything (without it: size, sha256 and the age header)")
    .option("--json", "print the results as JSON on stdout")
    .addHelpText(
      "after",
      `
Checks, in order: the sidecar, size and sha256, the archive read end to end (every zip CRC-32;
tar.gz fully decompressed), entries as the sidecar records them, the dump complete (custom:
pg_restore --list; plain: the completion line at its end), and with --restore-test a restore
into scratch space. Exit codes: 0 all checks held, 1 a check failed (the reason is printed),
2 usage or config error.`,
    )
    .action(async (flags: VerifyFlags, command: Command) => {
      const globals = globalsOf(command);
      if (!flags.file && !(flags.instance && flags.latest)) throw new UsageError("verify needs --file ARCHIVE, or --instance ID --latest");
      if (flags.file && (flags.instance || flags.latest)) throw new UsageError("give either --file or --instance with --latest, not both");
      const session = await openSession(globals);
      const config = session.loaded.config;
      const storageCtx = { redactor: session.redactor, logger: session.logger };
      const keys = await loadAgeKeys(config, flags.identity);
      const storage = await openReadStorage(config, flags.storage, storageCtx);
      let located: LocatedArchive | undefined;
      try {
        let targets: ResolvedArchive[];
        let runProblems: VerifyResult[] = [];
        let walResults: VerifyResult[] = [];
        // Without --storage: local first, then each remote in order.
        if (flags.file) targets = [(located = await locateArchive(flags.file, storage, config, flags.storage, storageCtx)).archive];
        else {
          const spec = flags.instance ?? "";
          const entries = await listCatalog(storage);
          const identity = instanceIdentity(spec, config, entries);
          const record = identity ? await readNewestRunRecord(storage, config.server.name, identity.name) : null;
          const latest = identity ? latestRun(entries, identity, record) : null;
          if (!latest) throw new UsageError(`no backup of instance "${spec}" in ${storage.describe("")}: run vya-backupdb list to see what there is`);
          targets = latest.archives.map((e) => ({ storage, key: e.key, name: e.name }));
          // A PITR instance: also the WAL chain of every base backup (pitr/verify-chain.ts).
          const configured = config.instances.find((i) => String(i.id) === spec || instanceName(i) === spec);
          if (configured?.type === "postgres" && configured.pitr?.enabled) {
            const { verifyWalChains } = await import("../pitr/verify-chain.js");
            walResults = await verifyWalChains(storage, config, configured, keys);
          }
          runProblems = latest.problems.map((problem) => ({
            name: `run ${latest.runId}`,
            location: storage.describe(instancePrefix(config.server.name, identity?.name ?? spec)),
            ok: false,
            instance: identity?.name ?? spec,
            database: null,
            started_at: latest.startedAt,
            checks: [{ check: "run" as const, ok: false, detail: problem }],
          }));
        }
        const { result: results, signal } = await withInterrupts(async (sig) => {
          const hooks = verifyHooks({ config, redactor: session.redactor, logger: session.logger, signal: sig });
          const out: VerifyResult[] = [...runProblems, ...walResults];
          for (const target of targets) {
            const result = await verifyArchive(target, { restoreTest: flags.restoreTest === true, scratchDir: config.options.tmp_dir, signal: sig, keys }, hooks);
            session.logger.info({ archive: result.location, ok: result.ok }, "verified");
            out.push(result);
          }
          return out;
        });
        const ok = results.every((r) => r.ok);
        const text = globals.json ? session.redactor.json({ ok, results }) : session.redactor.redact(renderResults(results));
        process.stdout.write(`${text}\n`);
        if (signal) process.exitCode = signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
        else process.exitCode = ok ? EXIT.ok : EXIT.failed;
      } finally {
        await located?.close();
        await storage.close();
      }
    });
}

/** -i ID|NAME: the configured instance, else one the sidecars in storage name (a retired instance). */
function instanceIdentity(spec: string, config: Config, entries: readonly CatalogEntry[]): InstanceIdentity | null {
  const configured = config.instances.find((i) => String(i.id) === spec || instanceName(i) === spec);
  if (configured) return { id: configured.id, name: instanceName(configured) };
  const seen = entries.find((e) => e.sidecar && (String(e.sidecar.instance.id) === spec || e.sidecar.instance.name === spec))?.sidecar;
  return seen ? { id: seen.instance.id, name: seen.instance.name } : null;
}

function renderResults(results: readonly VerifyResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`${result.ok ? "OK  " : "FAIL"}  ${result.name}  (${result.location})`);
    for (const check of result.checks) lines.push(`      ${check.ok ? "ok  " : "FAIL"} ${check.check}: ${check.detail}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  lines.push(failed ? `${failed} of ${results.length} archives failed verification` : `${results.length} archive${results.length === 1 ? "" : "s"} verified`);
  return lines.join("\n");
}
