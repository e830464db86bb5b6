import { createHash } from "node:crypto";
import { join } from "node:path";

/**
 * Archive names sort by time (UTC, to the millisecond) and stay unique across runs started in
 * the same millisecond thanks to a short run id:
 *   <instance>[_<database>]_<YYYYMMDDTHHMMSSmmmZ>_<runid>.<ext>
 * in <root>/<server>/<instance>/[<database>/], each name part made a path segment by
 * pathSegment(), which never maps two different names to one segment.
 */
export function timestampForName(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(".", "");
}

/** Kept as it is: lowercase ASCII letters, digits, ".", "_", "-", starting with a letter or digit. */
const PLAIN = /^[a-z0-9][a-z0-9._-]*$/;
const PLAIN_MAX = 64;
const READABLE_MAX = 48;
/** Never produced by the readable part: a "~" in a segment always starts the digest. */
const DIGEST_MARK = "~";

/**
 * One path segment for a server, instance or database name, unique per name by construction:
 * a plain lowercase name is used as is; any other name (spaces, quotes, accents, slashes,
 * capitals, a leading dot, too long) becomes a readable ASCII form plus "~" and 8 hex digits of
 * the sha256 of the exact name. Plain segments hold no "~", so they never equal a digested one;
 * two digested ones differ in their digest; and since digests are lowercase and every name with
 * a capital is digested, no two segments differ only by case (case-insensitive file systems).
 */
export function pathSegment(name: string): string {
  if (PLAIN.test(name) && name.length <= PLAIN_MAX) return name;
  const readable = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^[.-]/, "_")
    .slice(0, READABLE_MAX);
  const digest = createHash("sha256").update(name, "utf8").digest("hex").slice(0, 8);
  return `${readable || "_"}${DIGEST_MARK}${digest}`;
}

/** The globals unit's folder: a database of that name is digested ("_" is not plain), so never lands here. */
export const GLOBALS_SEGMENT = "_globals";

export type UnitKind = "database" | "globals" | "files" | "basebackup";

/** PITR base backups' folder ("_" never starts a plain segment, so no database lands here). */
export const BASEBACKUP_SEGMENT = "_base";

/** The database part of a unit's path: null for files, the reserved folder for globals. */
function databaseSegment(database: string | null, kind: UnitKind): string | null {
  if (kind === "globals") return GLOBALS_SEGMENT;
  if (kind === "basebackup") return BASEBACKUP_SEGMENT;
  return database === null ? null : pathSegment(database);
}

export interface NameParts {
  instance: string;
  /** Database name, "_globals", or null for a files instance. */
  database: string | null;
  kind: UnitKind;
  startedAt: Date;
  runId: string;
  /** "zip", "tar.gz", "tar.zst", "sql.zst" … (archive/format.ts archiveExtension). */
  extension: string;
  /** Encrypted with age: the name ends in `.age` (`….zip.age`, `….tar.gz.age`). */
  encrypted?: boolean | undefined;
}

export const ENCRYPTED_SUFFIX = ".age";

export function archiveFileName(parts: NameParts): string {
  const db = databaseSegment(parts.database, parts.kind);
  return `${pathSegment(parts.instance)}${db === null ? "" : `_${db}`}_${timestampForName(parts.startedAt)}_${parts.runId}.${parts.extension}${parts.encrypted ? ENCRYPTED_SUFFIX : ""}`;
}

/** <root>/<server>/<instance>/[<database>/] */
export function archiveDirectory(root: string, server: string, instance: string, database: string | null, kind: UnitKind): string {
  const base = join(root, pathSegment(server), pathSegment(instance));
  const db = databaseSegment(database, kind);
  return db === null ? base : join(base, db);
}

/** The dump's entry name inside a database archive. */
export function dumpEntryFileName(database: string, extension: "sql" | "dump"): string {
  return `${pathSegment(database)}.${extension}`;
}

export const SIDECAR_SUFFIX = ".json";

export function sidecarPath(archivePath: string): string {
  return `${archivePath}${SIDECAR_SUFFIX}`;
}
