import { z } from "zod";
import { ARCHIVE_FORMATS } from "../archive/format.js";
import { basePitrSchema } from "../pitr/base-info.js";

/**
 * The sidecar `X.json` beside every archive `X`: the completion marker and the catalogue entry.
 * Written last; an archive without one is not a backup. Readers accept unknown keys so newer
 * tools can add fields without breaking older readers.
 */
export const SIDECAR_FORMAT_VERSION = 1;

const entrySchema = z.object({ name: z.string(), size: z.number(), type: z.enum(["file", "directory", "symlink", "hardlink"]).optional() });

export const tableSchema = z.object({
  schema: z.string().optional(),
  name: z.string(),
  rows_estimate: z.number().nullable(),
});

/**
 * Properties of the database itself that its dump does not carry, read at backup time and
 * applied to the restored database (whatever its name). Optional: older sidecars lack it.
 */
export const databasePropertiesSchema = z.discriminatedUnion("engine", [
  z
    .object({
      engine: z.literal("postgres"),
      owner: z.string(),
      /** null: the default privileges (datacl NULL); grantee null: PUBLIC. */
      acl: z.array(z.object({ grantee: z.string().nullable(), privilege: z.string(), grantable: z.boolean() })).nullable(),
      comment: z.string().nullable(),
      /** ALTER DATABASE … SET, as "name=value". */
      settings: z.array(z.string()),
      /** ALTER ROLE … IN DATABASE … SET. */
      role_settings: z.array(z.object({ role: z.string(), settings: z.array(z.string()) })),
    })
    .loose(),
  z.object({ engine: z.literal("mysql"), character_set: z.string(), collation: z.string() }).loose(),
]);

/**
 * An encrypted archive (docs/encryption.md): `archive.size_bytes`/`sha256` are the stored
 * (encrypted) file's; `plaintext` the decrypted archive's, checked after decryption. Never a secret.
 */
export const encryptionRecordSchema = z
  .object({
    algorithm: z.literal("age-v1"),
    recipients: z.array(z.object({ type: z.string(), fingerprint: z.string().nullable() })),
    plaintext: z.object({ size_bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  })
  .loose();

export const sidecarSchema = z
  .object({
    format_version: z.number().int(),
    backup_id: z.string(),
    run_id: z.string(),
    /** "safety": taken by a restore before it replaced its target; not a backup run (verify --latest skips it). */
    purpose: z.enum(["safety"]).optional(),
    status: z.literal("completed"),
    server: z.object({ name: z.string(), location: z.string().optional() }),
    instance: z.object({ id: z.number(), name: z.string(), type: z.enum(["postgres", "mysql", "files"]) }),
    kind: z.enum(["database", "globals", "files", "basebackup"]),
    database: z.string().nullable(),
    patterns: z.object({ paths: z.array(z.string()), exclude: z.array(z.string()) }).nullable(),
    archive: z.object({
      file: z.string(),
      format: z.enum(ARCHIVE_FORMATS),
      size_bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      compression: z.object({ algorithm: z.string(), level: z.number() }),
    }),
    /** Absent: the archive is stored in plaintext. */
    encryption: encryptionRecordSchema.optional(),
    started_at: z.string(),
    completed_at: z.string(),
    duration_ms: z.number(),
    dump_tool: z.object({ name: z.string(), version: z.string() }).nullable(),
    dump_format: z.enum(["plain", "custom", "files"]).nullable(),
    source_server_version: z.string().nullable(),
    tool: z.object({ name: z.string(), version: z.string() }),
    contents: z.array(entrySchema),
    tables: z.array(tableSchema).optional(),
    database_properties: databasePropertiesSchema.optional(),
    /** A PITR base backup (kind "basebackup"): LSNs, timeline, times, system identifier. */
    pitr: basePitrSchema.optional(),
    warnings: z.array(z.string()),
    /** Set by `import`: the archive was made by the old Python tool and adopted. */
    imported: z
      .object({
        from: z.string(),
        original_name: z.string(),
        original_path: z.string(),
        imported_at: z.string(),
        /** The zone the old file name's wall-clock time was read in; null when --started-at gave the time. */
        time_zone: z.string().nullable(),
      })
      .optional(),
  })
  .loose();

export type Sidecar = z.infer<typeof sidecarSchema>;
export type SidecarTable = z.infer<typeof tableSchema>;
export type DatabaseProperties = z.infer<typeof databasePropertiesSchema>;
