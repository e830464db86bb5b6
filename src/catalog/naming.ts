import { join } from "node:path";

/**
 * Archive names sort by time (UTC, to the millisecond) and stay unique across runs started in
 * the same millisecond thanks to a short run id:
 *   <instance>[_<database>]_<YYYYMMDDTHHMMSSmmmZ>_<runid>.<ext>
 */
export function timestampForName(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(".", "");
}

/** Makes a database or instance name safe as one path segment without losing readability. */
export function safeSegment(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_");
  return cleaned.length > 0 ? cleaned : "_";
}

export interface NameParts {
  instance: string;
  /** Database name, "_globals", or null for a files instance. */
  database: string | null;
  startedAt: Date;
  runId: string;
  extension: "zip" | "tar.gz";
}

export function archiveFileName(parts: NameParts): string {
  const db = parts.database === null ? "" : `_${safeSegment(parts.database)}`;
  return `${safeSegment(parts.instance)}${db}_${timestampForName(parts.startedAt)}_${parts.runId}.${parts.extension}`;
}

/** <root>/<server>/<instance>/[<database>/] */
export function archiveDirectory(root: string, server: string, instance: string, database: string | null): string {
  const base = join(root, safeSegment(server), safeSegment(instance));
  return database === null ? base : join(base, safeSegment(database));
}

export const SIDECAR_SUFFIX = ".json";

export function sidecarPath(archivePath: string): string {
  return `${archivePath}${SIDECAR_SUFFIX}`;
}
