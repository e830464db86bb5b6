/**
 * The archive formats a backup can be written in, as the sidecar records them:
 * - `zip`, `tar.gz`: deflate (zip entries are deflated one by one; the tar is one gzip stream);
 * - `tar.zst`: a tar in one zstd stream (GNU tar --zstd), for files trees;
 * - `zst`: a dump as one zstd stream and nothing around it (`zstd -d` gives the dump back), so it
 *   is streamed without the spool a tar would need for the size in its header.
 */
export const ARCHIVE_FORMATS = ["zip", "tar.gz", "tar.zst", "zst"] as const;
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];

/** The archive's file name extension: a lone zstd stream keeps its dump's own (`<db>.sql.zst`). */
export function archiveExtension(format: ArchiveFormat, dumpExtension: "sql" | "dump" | null): string {
  if (format !== "zst") return format;
  if (dumpExtension === null) throw new Error("a zst archive holds one dump: its extension is needed");
  return `${dumpExtension}.zst`;
}

/** Whether the format is a tar (entries with owners, hard links …). */
export function isTar(format: ArchiveFormat): boolean {
  return format === "tar.gz" || format === "tar.zst";
}

/** The endings archive names can have, as a regular expression alternative (names are matched by list, resolve, verify --latest). */
export const ARCHIVE_SUFFIX_PATTERN = String.raw`zip|tar\.gz|tar\.zst|sql\.zst|dump\.zst`;
