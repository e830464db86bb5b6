import type { Command } from "commander";
import { pitrInstance, pitrStorages, pitrWalPrefix } from "../pitr/instance.js";
import { walFetch, WalNotFoundError } from "../pitr/wal-fetch.js";
import { walPush } from "../pitr/wal-push.js";
import { loadAgeKeys } from "../crypto/keys.js";
import { encryptionPlan } from "../crypto/target.js";
import { describeError, EXIT, VyaError } from "../util/errors.js";
import type { Redactor } from "../util/redact.js";
import { globalsOf } from "./globals.js";
import { openSession } from "./session.js";

/**
 * wal-push / wal-fetch: PostgreSQL's archive_command and restore_command for a PITR instance.
 * They run once per 16 MiB segment, so this module loads only the config, the local storage and
 * the pitr code; a remote's SDK only when one is configured.
 */
export function registerWal(program: Command): void {
  program
    .command("wal-push")
    .description("archive_command: store one WAL file in every storage, verified (exit 0 only when all hold it)")
    .argument("<path>", "%p: the file's path")
    .argument("<name>", "%f: its name")
    .requiredOption("-i, --instance <id|name>", "the PITR instance")
    .addHelpText("after", `\nIn postgresql.conf: archive_command = 'vya-backupdb -c /etc/vya-backupdb/config.yaml wal-push %p %f -i 1'\nThe same content pushed twice is success; different content under an archived name is refused (exit 1).`)
    .action(async (path: string, name: string, opts: { instance: string }, command: Command) => {
      const session = await openSession(globalsOf(command));
      const config = session.loaded.config;
      const instance = pitrInstance(config, opts.instance, "wal-push");
      const storages = await pitrStorages(config, { redactor: session.redactor, logger: session.logger });
      try {
        // Encrypted like the instance's backups (an unreadable recipients file fails the push: PostgreSQL retries).
        const encryption = await encryptionPlan(config, instance);
        const outcome = await walPush(
          { path, name, prefix: pitrWalPrefix(config, instance), compressionLevel: instance.pitr?.compression_level ?? 1, tmpDir: config.options.tmp_dir, encryption },
          storages,
        );
        session.logger.debug({ wal: name, outcome }, "WAL file archived");
      } catch (err) {
        throw redacted(err, session.redactor);
      } finally {
        await Promise.allSettled(storages.map((s) => s.close()));
      }
    });
  program
    .command("wal-fetch")
    .description("restore_command: fetch one archived WAL file, verified (exit 1 when it is not archived)")
    .argument("<name>", "%f: the file's name")
    .argument("<path>", "%p: where to put it")
    .requiredOption("-i, --instance <id|name>", "the PITR instance")
    .option("--identity <file>", "age identity file for encrypted WAL (default: encryption.identity in the config)")
    .addHelpText("after", `\nExit codes (PostgreSQL's restore_command contract): 0 fetched; 1 not archived in any storage (the end of the archive);\n${WAL_FETCH_ABORT} anything else (a storage down, a damaged object, no key for encrypted WAL, a config error): PostgreSQL then\nstops the recovery instead of taking the failure for the end of the archive and promoting too early.`)
    .action(async (name: string, path: string, opts: { instance: string; identity?: string }, command: Command) => {
      let redactor: Redactor | undefined;
      try {
        const session = await openSession(globalsOf(command));
        redactor = session.redactor;
        const config = session.loaded.config;
        const instance = pitrInstance(config, opts.instance, "wal-fetch");
        const keys = await loadAgeKeys(config, opts.identity);
        const storages = await pitrStorages(config, { redactor: session.redactor, logger: session.logger });
        try {
          const { storage } = await walFetch({ name, path, prefix: pitrWalPrefix(config, instance), keys }, storages);
          session.logger.debug({ wal: name, storage }, "WAL file fetched");
        } finally {
          await Promise.allSettled(storages.map((s) => s.close()));
        }
      } catch (err) {
        // The end of the archive is how every recovery ends: exit 1, no error message for it.
        if (err instanceof WalNotFoundError) {
          process.exitCode = EXIT.failed;
          return;
        }
        // Anything else must not read as "not archived": PostgreSQL would end recovery there and promote.
        const text = err instanceof VyaError ? describeError(err) : `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
        throw new VyaError(redactor ? redactor.redact(text) : text, { exitCode: WAL_FETCH_ABORT });
      }
    });
}

/**
 * wal-fetch's exit code for a failure that is not "not archived": above 125, which PostgreSQL
 * treats like a shell error and so stops the recovery (FATAL) instead of ending it early.
 */
export const WAL_FETCH_ABORT = 126;

/** PostgreSQL copies our stderr into its server log: a storage's error text is scrubbed of secrets first. */
function redacted(err: unknown, redactor: Redactor): unknown {
  if (!(err instanceof VyaError)) return err;
  return new VyaError(redactor.redact(describeError(err)), { exitCode: err.exitCode });
}
