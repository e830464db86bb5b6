import { createHash } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { relative, sep } from "node:path";
import { RemoteError } from "../storage/remote-error.js";
import type { Storage } from "../storage/storage.js";
import { describeError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import type { RunContext } from "./context.js";

/** What happened to one unit's copy on one remote. */
export interface RemoteOutcome {
  remote: string;
  kind: Storage["kind"];
  status: "success" | "failed";
  /** Where the archive is (or was meant to be), without secrets. */
  location: string;
  duration_ms: number;
  error?: string;
}

export interface LocalBackup {
  archive: string;
  sidecar: string;
  sha256: string;
}

export interface ReplicateResult {
  remotes: RemoteOutcome[];
  /** The first failure, naming the remote and the cause; undefined when every remote verified its copy. */
  error?: string;
  /** true when storage.local.keep is false and the local copy was removed. */
  localDeleted: boolean;
}

/**
 * Copies a finished local backup to every remote, in parallel: the archive first, then the
 * sidecar (the completion marker, last remotely too), each verified by the backend. A remote
 * that fails leaves the local copy in place; with storage.local.keep: false the local copy is
 * removed only after every remote verified both files.
 */
export async function replicate(backup: LocalBackup, remotes: readonly Storage[], ctx: RunContext, log: Logger): Promise<ReplicateResult> {
  if (remotes.length === 0) return { remotes: [], localDeleted: false };
  const root = ctx.config.storage.local.path;
  const keyOf = (path: string) => relative(root, path).split(sep).join("/");
  const archiveKey = keyOf(backup.archive);
  const sidecarKey = keyOf(backup.sidecar);
  const sidecarSha = createHash("sha256").update(await readFile(backup.sidecar)).digest("hex");

  const outcomes = await Promise.all(
    remotes.map(async (storage): Promise<RemoteOutcome> => {
      const started = Date.now();
      const location = storage.describe(archiveKey);
      let archiveStored = false;
      try {
        await storage.put(archiveKey, { file: backup.archive }, { sha256: backup.sha256, signal: ctx.signal });
        archiveStored = true;
        await storage.put(sidecarKey, { file: backup.sidecar }, { sha256: sidecarSha, contentType: "application/json", signal: ctx.signal });
        log.info({ remote: storage.name, location, ms: Date.now() - started }, "copied to remote");
        return { remote: storage.name, kind: storage.kind, status: "success", location, duration_ms: Date.now() - started };
      } catch (err) {
        // An archive without its sidecar is not a backup; do not leave one behind remotely.
        if (archiveStored) await storage.delete(archiveKey).catch(() => undefined);
        const error = ctx.redactor.redact(failureMessage(storage.name, location, err));
        log.error({ remote: storage.name, err: error }, "copy to remote failed");
        return { remote: storage.name, kind: storage.kind, status: "failed", location, duration_ms: Date.now() - started, error };
      }
    }),
  );

  const failed = outcomes.find((o) => o.status === "failed");
  if (failed) return { remotes: outcomes, error: failed.error ?? `remote "${failed.remote}" failed`, localDeleted: false };
  if (ctx.config.storage.local.keep) return { remotes: outcomes, localDeleted: false };
  try {
    // Sidecar first: a lone archive is a partial, a lone sidecar would look like a backup.
    await rm(backup.sidecar, { force: true });
    await rm(backup.archive, { force: true });
  } catch (err) {
    // Every remote holds a verified copy: the backup succeeded; only the clean-up did not.
    log.warn({ archive: backup.archive, err: ctx.redactor.redact(describeError(err)) }, "could not remove the local copy (storage.local.keep: false)");
    return { remotes: outcomes, localDeleted: false };
  }
  log.info({ archive: backup.archive }, "local copy removed (storage.local.keep: false); every remote verified its copy");
  return { remotes: outcomes, localDeleted: true };
}

/** One line naming the remote, where, and why (a RemoteError already names the remote). */
export function failureMessage(remote: string, location: string, err: unknown): string {
  return err instanceof RemoteError ? `${describeError(err)} (${location})` : `remote "${remote}" (${location}): ${describeError(err)}`;
}
