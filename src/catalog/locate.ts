import type { Config } from "../config/schema.js";
import { openRemote, type StorageContext } from "../storage/registry.js";
import type { Storage } from "../storage/storage.js";
import { describeError } from "../util/errors.js";
import { ArchiveNotFoundError, resolveArchive, type ResolvedArchive } from "./resolve.js";

export interface LocatedArchive {
  archive: ResolvedArchive;
  /** Closes the remote opened to find the archive (the primary storage stays the caller's to close). */
  close(): Promise<void>;
}

/**
 * Resolves `--file` in `primary` (the --storage named, or local); when no storage was named and
 * the name is not found locally, looks in each remote in config order. A remote that cannot be
 * reached is skipped, and named in the error if no storage holds the archive.
 */
export async function locateArchive(spec: string, primary: Storage, config: Config, named: string | undefined, ctx: StorageContext): Promise<LocatedArchive> {
  try {
    return { archive: await resolveArchive(spec, primary), close: async () => undefined };
  } catch (err) {
    if (!(err instanceof ArchiveNotFoundError) || named !== undefined || config.storage.remotes.length === 0) throw err;
    const skipped: string[] = [];
    for (const remote of config.storage.remotes) {
      let storage: Storage;
      try {
        storage = await openRemote(remote, ctx);
      } catch (openErr) {
        skipped.push(`${remote.name}: ${ctx.redactor.redact(describeError(openErr))}`);
        continue;
      }
      try {
        const archive = await resolveArchive(spec, storage);
        ctx.logger?.info({ storage: remote.name, key: archive.key }, "archive not found locally; found in a remote");
        return { archive, close: () => storage.close() };
      } catch (remoteErr) {
        await storage.close();
        if (!(remoteErr instanceof ArchiveNotFoundError)) skipped.push(`${remote.name}: ${ctx.redactor.redact(describeError(remoteErr))}`);
      }
    }
    const names = config.storage.remotes.map((r) => r.name).join(", ");
    const unreachable = skipped.length > 0 ? `; could not search ${skipped.join("; ")}` : "";
    throw new ArchiveNotFoundError(`${err.message}; not in the remotes either (${names})${unreachable}`, { cause: err });
  }
}
