import { readSidecar } from "../catalog/read.js";
import type { ResolvedArchive } from "../catalog/resolve.js";
import type { Sidecar } from "../catalog/sidecar.js";
import { localArchive, type LocalArchive } from "../catalog/fetch.js";
import { recordedSizes } from "../restore/entry-bounds.js";
import { describeUnsafe, UnsafeEntryError } from "../restore/entry-path.js";
import { planEntries } from "../restore/files-plan.js";
import { dumpEntryName } from "../restore/dump-entry.js";
import { decryptedArchive } from "../crypto/decrypt-file.js";
import { readAgeHeader } from "../crypto/header.js";
import { hasKeys } from "../crypto/keys.js";
import type { AgeKeys } from "../crypto/streams.js";
import { describeError } from "../util/errors.js";
import { checkArchiveIntegrity } from "./checksum.js";
import { trailerProblem } from "./dump-check.js";
import { compareContents, readArchiveFully, type ReadBackEntry } from "./readable.js";

/** What reading the archive end to end proved beyond its structure. */
const READ_CHECK: Record<Sidecar["archive"]["format"], string> = {
  zip: ", every CRC-32 matches",
  "tar.gz": "",
  "tar.zst": ", the zstd checksum matches",
  zst: ", the zstd checksum and the recorded size match",
};

export type CheckName = "run" | "sidecar" | "checksum" | "encryption" | "readable" | "contents" | "dump" | "restore-test" | "wal-chain";

export interface VerifyCheck {
  check: CheckName;
  ok: boolean;
  detail: string;
}

export interface VerifyResult {
  name: string;
  location: string;
  ok: boolean;
  instance: string | null;
  database: string | null;
  started_at: string | null;
  checks: VerifyCheck[];
}

/** Checks that need a database client or server; supplied by the caller (they need the config). */
export interface VerifyHooks {
  /** pg_restore --list on a custom dump; resolves with a detail line, throws with the reason. */
  listCustomDump?: (path: string, sidecar: Sidecar) => Promise<string>;
  /** Restore into scratch space and compare; resolves with a detail line, throws with the reason. */
  restoreTest?: (path: string, sidecar: Sidecar) => Promise<string>;
}

export interface VerifyOptions {
  restoreTest: boolean;
  scratchDir?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Keys for encrypted archives; without any, an encrypted archive is checked up to its age header. */
  keys?: AgeKeys | undefined;
}

/**
 * Every check in order, stopping at the first that fails (later ones would only repeat it):
 * sidecar, size + sha256, readable end to end, entries as recorded, dump complete, and on
 * request a restore test. `ok` only when every check ran and held.
 */
export async function verifyArchive(archive: ResolvedArchive, options: VerifyOptions, hooks: VerifyHooks = {}): Promise<VerifyResult> {
  const location = archive.storage.describe(archive.key);
  const checks: VerifyCheck[] = [];
  const result: VerifyResult = { name: archive.name, location, ok: false, instance: null, database: null, started_at: null, checks };
  const run = async (check: CheckName, work: () => Promise<string>): Promise<boolean> => {
    try {
      checks.push({ check, ok: true, detail: await work() });
      return true;
    } catch (err) {
      checks.push({ check, ok: false, detail: describeError(err) });
      return false;
    }
  };

  const read = await readSidecar(archive.storage, archive.key);
  if (!read.ok) {
    checks.push({ check: "sidecar", ok: false, detail: read.problem });
    return result;
  }
  const sidecar = read.sidecar;
  Object.assign(result, { instance: sidecar.instance.name, database: sidecar.database, started_at: sidecar.started_at });
  checks.push({ check: "sidecar", ok: true, detail: `backup ${sidecar.backup_id} of ${sidecar.instance.name}${sidecar.database ? `/${sidecar.database}` : ""}, ${sidecar.started_at}` });

  let local: LocalArchive | undefined;
  try {
    if (!(await run("checksum", async () => {
      // A missing archive or one that is a symlink fails here, as damage (exit 1).
      local = await localArchive(archive.storage, archive.key, options.scratchDir);
      await checkArchiveIntegrity(local.path, sidecar, options.signal);
      return `${sidecar.archive.size_bytes} bytes, sha256 ${sidecar.archive.sha256}`;
    }))) return result;
    if (!local) return result;
    if (sidecar.encryption) {
      const encrypted: LocalArchive = local;
      const keys = options.keys;
      if (!hasKeys(keys)) {
        // Without a key: the stored file is whole (size, sha256) and carries a valid age header.
        result.ok = await run("encryption", async () => `age v1 header: ${(await readAgeHeader(encrypted.path)).stanzas.join(", ")} stanza(s); contents not checked (no identity: --identity FILE)`);
        return result;
      }
      if (!(await run("encryption", async () => {
        local = await decryptedArchive(encrypted, sidecar, keys, location, options);
        return `decrypted (age v1), ${sidecar.encryption?.plaintext ? `plaintext ${sidecar.encryption.plaintext.size_bytes} bytes, sha256 matches` : "authenticated"}`;
      }))) return result;
    }
    const path = local.path;

    let dumpName: string | null = null;
    try {
      // Files archives and PITR base backups hold a tree, not one dump.
      dumpName = sidecar.kind === "files" || sidecar.kind === "basebackup" ? null : dumpEntryName(sidecar);
    } catch (err) {
      checks.push({ check: "contents", ok: false, detail: describeError(err) });
      return result;
    }
    let readBack: Awaited<ReturnType<typeof readArchiveFully>> | undefined;
    if (!(await run("readable", async () => {
      readBack = await readArchiveFully(path, sidecar.archive.format, (name) => name.replace(/^\.\//, "") === dumpName, options.signal, recordedSizes(sidecar.contents));
      return `${readBack.entries.length} entries, ${readBack.bytes} bytes decompressed${READ_CHECK[sidecar.archive.format]}`;
    }))) return result;
    if (!readBack) return result;
    const entries = readBack.entries;
    const tails = readBack.tails;

    if (!(await run("contents", async () => {
      const problems = compareContents(sidecar, entries);
      if (problems.length > 0) throw new Error(`the archive differs from its sidecar: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` and ${problems.length - 5} more` : ""}`);
      if (sidecar.kind === "files") refusedByRestore(entries);
      return `${sidecar.contents.length} entries as recorded`;
    }))) return result;

    if (dumpName !== null) {
      const name = dumpName;
      const dumpOk = await run("dump", async () => {
        if (sidecar.dump_format === "custom") {
          if (!hooks.listCustomDump) throw new Error("checking a custom-format dump needs pg_restore, which was not available");
          return hooks.listCustomDump(path, sidecar);
        }
        const problem = trailerProblem(sidecar, tails.get(name) ?? tails.get(`./${name}`));
        if (problem) throw new Error(problem);
        return "complete (ends with its completion line)";
      });
      if (!dumpOk) return result;
    }

    if (options.restoreTest) {
      if (!(await run("restore-test", async () => {
        if (!hooks.restoreTest) throw new Error("no restore test is available for this archive");
        return hooks.restoreTest(path, sidecar);
      }))) return result;
    }
    result.ok = true;
    return result;
  } finally {
    await local?.release();
  }
}

/** Where names are checked as if restoring: only the relative shape of each entry matters. */
const CHECK_ROOT = "/restore-target";

/** The entries a files restore would refuse (.., absolute, link escapes, control characters), with restore's reason. */
function refusedByRestore(entries: readonly ReadBackEntry[]): void {
  try {
    planEntries(entries, CHECK_ROOT);
  } catch (err) {
    if (err instanceof UnsafeEntryError) throw new Error(`${describeUnsafe(err.entry, err.reason)} (restore refuses this archive)`);
    throw err;
  }
}
