import { z } from "zod";
import { mysqlDumpOptionProblem } from "../sources/mysql/dump-options.js";
import { pgDumpOptionProblem } from "../sources/postgres/dump-options.js";
import { AGE_RE } from "../util/age.js";
import { metricsSchema, notificationsSchema } from "./monitoring-schema.js";
import { retentionSchema } from "../retention/policy-schema.js";
import { scheduleSchema } from "./schedule-schema.js";
import { checkPacking } from "./packing.js";

/**
 * The config file's schema: the single source of truth. Types derive from it (z.infer) and
 * config/vya-backupdb.schema.json is generated from it (npm run schema).
 * Objects are strict: an unknown key is a typo, and typos are errors.
 */

const nameRe = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const safeName = (what: string) =>
  z.string().regex(nameRe, `${what} may hold only letters, digits, ".", "_" and "-", starting with a letter or digit`);

const port = z.number().int().min(1).max(65535);
const level = z
  .number()
  .int()
  .min(0)
  .max(19)
  .optional()
  .describe("deflate: 0 stores, 1 is fastest, 9 smallest (default 6); zstd: 1 to 19 (default 3).");
const compression = z.enum(["deflate", "zstd"]).default("deflate").describe("zstd: .tar.zst for files, <db>.sql.zst for dumps (see docs/configuration.md).");
const archive = (fallback: string) => z.enum(["zip", "tar.gz"]).optional().describe(`Deflate archive format (default ${fallback}); left out with compression: zstd.`);

export const serverSchema = z
  .object({
    name: safeName("server.name").describe("This server's name; used in paths, metric labels and e-mails."),
    location: z.string().optional().describe("Free text, e.g. the data centre."),
  })
  .strict();

const s3RemoteSchema = z
  .object({
    name: safeName("remote name"),
    type: z.literal("s3"),
    bucket: z.string().min(1),
    region: z.string().default("us-east-1"),
    prefix: z.string().default(""),
    endpoint: z.string().url().optional().describe("For S3-compatible services (MinIO, Wasabi, B2, R2)."),
    force_path_style: z.boolean().default(false),
    access_key_id: z.string().optional(),
    secret_access_key: z.string().optional(),
    session_token: z.string().optional(),
    server_side_encryption: z.enum(["AES256", "aws:kms"]).optional(),
    kms_key_id: z.string().optional(),
    storage_class: z.string().optional(),
    retries: z.number().int().min(0).max(20).default(4).describe("Retries of a failed transfer (transient errors only), with exponential backoff."),
    retention: retentionSchema.optional().describe("This remote's retention policy: replaces the instance's and the global one here."),
  })
  .strict();

const sftpRemoteSchema = z
  .object({
    name: safeName("remote name"),
    type: z.literal("sftp"),
    host: z.string().min(1),
    port: port.default(22),
    username: z.string().min(1),
    password: z.string().optional(),
    private_key_file: z.string().optional(),
    private_key: z.string().optional(),
    passphrase: z.string().optional(),
    host_key_sha256: z.string().optional().describe('The server host key fingerprint, "SHA256:…" as ssh-keygen -lf prints it.'),
    known_hosts: z.string().optional(),
    path: z.string().min(1).describe("Absolute directory on the server; created as needed."),
    retries: z.number().int().min(0).max(20).default(4).describe("Retries of a failed transfer (transient errors only), with exponential backoff."),
    retention: retentionSchema.optional().describe("This remote's retention policy: replaces the instance's and the global one here."),
  })
  .strict();

export const remoteSchema = z.discriminatedUnion("type", [s3RemoteSchema, sftpRemoteSchema]);

export const storageSchema = z
  .object({
    local: z
      .object({
        path: z.string().min(1).describe("Root directory of local archives: <path>/<server>/<instance>/[<database>/]."),
        keep: z.boolean().default(true).describe("false: delete the local copy once every remote verified it."),
      })
      .strict(),
    remotes: z.array(remoteSchema).default([]),
  })
  .strict();

/** Encryption at rest (docs/encryption.md): archives written as standard age v1, readable only with a key. */
export const encryptionSchema = z
  .object({
    age: z
      .object({
        recipients: z
          .array(z.string().regex(/^age1[02-9ac-hj-np-z]+$/, 'expected an age X25519 recipient, "age1…" as age-keygen prints it'))
          .default([])
          .describe("Public keys (age1…) every archive is encrypted to; the backup host needs nothing else."),
        recipients_file: z.string().optional().describe("A file of recipients, one per line (# comments), as age -R reads it."),
        passphrase: z.string().optional().describe("Instead of recipients: a passphrase (scrypt); use a secret reference."),
      })
      .strict()
      .refine((age) => age.recipients.length > 0 || age.recipients_file !== undefined || age.passphrase !== undefined, {
        message: "give recipients, recipients_file or passphrase",
      })
      .refine((age) => age.passphrase === undefined || (age.recipients.length === 0 && age.recipients_file === undefined), {
        message: "a passphrase cannot be combined with recipients (age encrypts to one or the other)",
      })
      .optional(),
    identity: z
      .string()
      .optional()
      .describe("The private key(s) (AGE-SECRET-KEY-1…) used by verify and restore, as a secret reference: ${file:/path}. Never needed to back up."),
  })
  .strict();

const commonInstance = {
  id: z.number().int().positive().describe("Unique; the legacy id_dbms."),
  name: safeName("instance name").optional().describe('Unique; default "<type>-<id>".'),
  enabled: z.boolean().default(true),
  retention: retentionSchema.optional().describe("This instance's retention policy: replaces the global one (a remote's own policy still wins there)."),
  encryption: z.union([encryptionSchema, z.literal(false)]).optional().describe("Replaces the global encryption block for this instance; false: not encrypted."),
};

const dbInstance = {
  ...commonInstance,
  host: z.string().default("127.0.0.1"),
  socket: z.string().optional().describe("Unix socket directory (postgres) or file (mysql); overrides host/port."),
  user: z.string().min(1),
  password: z.string().optional(),
  password_file: z.string().optional(),
  databases: z.array(z.string().min(1)).default([]).describe("Empty: every database on the server."),
  exclude_databases: z.array(z.string().min(1)).default([]),
  exclude_tables: z.array(z.string().min(1)).default([]),
  dump_options: z.array(z.string()).default([]).describe("Extra dump flags; never connection or password flags."),
  ssl: z.enum(["disable", "require", "verify-full"]).optional(),
  ssl_ca: z.string().optional(),
  archive: archive("zip"),
  compression,
  compression_level: level,
};

/** dump_options checked by the source that will pass them on: never connection or password flags. */
const dumpOptions = (problemOf: (option: string) => string | null) =>
  z
    .array(z.string())
    .superRefine((options, ctx) => {
      options.forEach((option, index) => {
        const problem = problemOf(option);
        if (problem) ctx.addIssue({ code: "custom", path: [index], message: problem });
      });
    })
    .default([])
    .describe("Extra dump flags; never connection or password flags.");

/** PostgreSQL point-in-time recovery (docs/pitr.md): WAL goes to the same storages as the dumps. */
export const pitrSchema = z
  .object({
    enabled: z.boolean().default(false).describe("Take a pg_basebackup with every backup and accept wal-push / wal-fetch for this instance."),
    compression_level: level.default(1).describe("Deflate level of archived WAL segments (wal-push runs once per 16 MiB segment: fast by default)."),
    max_wal_age: z
      .string()
      .regex(AGE_RE, "expected an age such as 30m, 1h, 6h")
      .default("1h")
      .describe("`status`: the newest archived WAL segment older than this is stale (archiving stopped). Keep it above the server's archive_timeout: an idle server without one switches segments rarely."),
  })
  .strict();

export const postgresInstanceSchema = z
  .object({
    ...dbInstance,
    dump_options: dumpOptions(pgDumpOptionProblem),
    type: z.literal("postgres"),
    port: port.default(5432),
    format: z.enum(["plain", "custom"]).default("plain"),
    globals: z.boolean().default(true).describe("Also dump roles and tablespaces (pg_dumpall --globals-only)."),
    pg_dump_path: z.string().optional().describe("Directory or pg_dump file to use instead of searching."),
    pitr: pitrSchema.optional().describe("Point-in-time recovery: WAL archiving (wal-push) and physical base backups; see docs/pitr.md."),
  })
  .strict()
  .superRefine(checkPacking);

export const mysqlInstanceSchema = z
  .object({
    ...dbInstance,
    dump_options: dumpOptions(mysqlDumpOptionProblem),
    type: z.literal("mysql"),
    port: port.default(3306),
    dump_path: z.string().optional().describe("mysqldump/mariadb-dump to use instead of searching PATH."),
  })
  .strict()
  .superRefine(checkPacking);

export const filesInstanceSchema = z
  .object({
    ...commonInstance,
    type: z.literal("files"),
    paths: z.array(z.string().min(1)).min(1).describe("fast-glob patterns: *, **, {a,b}; absolute."),
    exclude: z.array(z.string().min(1)).default([]),
    ignore_missing: z.boolean().default(false).describe("A file vanishing mid-run is a warning, not a failure."),
    ignore_unreadable: z.boolean().default(false).describe("A file this user may not read (EACCES, EPERM) is left out with a warning, not a failure."),
    archive: archive("tar.gz"),
    compression,
    compression_level: level,
  })
  .strict()
  .superRefine(checkPacking);

export const instanceSchema = z.discriminatedUnion("type", [postgresInstanceSchema, mysqlInstanceSchema, filesInstanceSchema]);

export const optionsSchema = z
  .object({
    concurrency: z.number().int().min(1).max(64).default(1).describe("Units (databases) dumped at once."),
    log_file: z.string().optional().describe("Also append JSON log lines to this file."),
    tmp_dir: z.string().optional().describe("Scratch space: dumps spooled for tar.gz (default: beside the archive), remote downloads and restores (default: the system temp dir)."),
    leftover_grace: z
      .string()
      .regex(AGE_RE, "expected an age such as 90m, 24h, 7d, 2w")
      .optional()
      .describe("Temporary files of another machine (or remote uploads) are removed by a backup once this old (default 24h); a dead owner on this machine is detected at once."),
    state_dir: z
      .string()
      .min(1)
      .default("/var/lib/vya-backupdb")
      .describe("The one optional piece of state: the last run's outcome (for recovery notices and status). Not created: systemd's StateDirectory or the package makes it; without it recovery is not reported."),
    cleanup_after_backup: z.boolean().default(true).describe("After a backup, apply the retention policy to the groups whose backup succeeded (backup --no-cleanup skips it once)."),
  })
  .strict();

export const statusSchema = z
  .object({
    max_age: z
      .string()
      .regex(AGE_RE, "expected an age such as 90m, 26h, 2d")
      .optional()
      .describe("`status`: a backup older than this is stale. Unset: derived from schedule.on_calendar (the latest scheduled start whose run is over by now, with randomized_delay and timeout), else 26h."),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    server: serverSchema,
    storage: storageSchema,
    instances: z.array(instanceSchema).default([]),
    options: optionsSchema.default({ concurrency: 1, state_dir: "/var/lib/vya-backupdb", cleanup_after_backup: true }),
    notifications: notificationsSchema.optional(),
    metrics: metricsSchema.optional(),
    retention: retentionSchema.optional().describe("The default retention policy (GFS); none: nothing is ever deleted."),
    status: statusSchema.default({}),
    schedule: scheduleSchema.optional().describe("When the generated systemd timer or cron line runs a backup (vya-backupdb schedule print)."),
    encryption: encryptionSchema.optional(),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type Instance = Config["instances"][number];
export type PostgresInstance = z.infer<typeof postgresInstanceSchema>;
export type MysqlInstance = z.infer<typeof mysqlInstanceSchema>;
export type FilesInstance = z.infer<typeof filesInstanceSchema>;
export type DatabaseInstance = PostgresInstance | MysqlInstance;
export type Remote = z.infer<typeof remoteSchema>;
export type InstanceType = Instance["type"];
export type EncryptionConfig = z.infer<typeof encryptionSchema>;

/** Keys whose values are secrets wherever they appear: masked by `config print`, never logged. */
export const SECRET_KEYS = new Set(["password", "secret", "secret_access_key", "session_token", "passphrase", "private_key", "bearer_token", "identity"]);

export function instanceName(instance: Pick<Instance, "id" | "name" | "type">): string {
  return instance.name ?? `${instance.type}-${instance.id}`;
}
