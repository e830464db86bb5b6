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
    .action(async (name: string, path: string, opts: { instance: string; identity?: string }, command: Command) => {
      const session = await openSession(globalsOf(command));
      const config = session.loaded.config;
      const instance = pitrInstance(config, opts.instance, "wal-fetch");
      const storages = await pitrStorages(config, { redactor: session.redactor, logger: session.logger });
      try {
        const { storage } = await walFetch({ name, path, prefix: pitrWalPrefix(config, instance), keys: await loadAgeKeys(config, opts.identity) }, storages);
        session.logger.debug({ wal: name, storage }, "WAL file fetched");
      } catch (err) {
        // The end of the archive is how every recovery ends: no error message for it.
        if (!(err instanceof WalNotFoundError)) throw redacted(err, session.redactor);
        session.logger.debug({ wal: name }, "not archived");
        process.exitCode = EXIT.failed;
      } finally {
        await Promise.allSettled(storages.map((s) => s.close()));
      }
    });
}

/** PostgreSQL copies our stderr into its server log: a storage's error text is scrubbed of secrets first. */
function redacted(err: unknown, redactor: Redactor): unknown {
  if (!(err instanceof VyaError)) return err;
  return new VyaError(redactor.redact(describeError(err)), { exitCode: err.exitCode });
}
