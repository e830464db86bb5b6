import type { Writable } from "node:stream";
import type { ContentEntry } from "../archive/entry.js";
import type { DatabaseProperties, SidecarTable } from "../catalog/sidecar.js";
import type { Packing } from "../config/packing.js";
import type { Instance } from "../config/schema.js";
import type { BasePitrInfo } from "../pitr/base-info.js";
import type { Logger } from "../util/logger.js";
import type { Redactor } from "../util/redact.js";

/**
 * The Source contract: a source turns one configured instance into backup units (one per
 * database, one per files instance, one for postgres globals); each unit writes one archive.
 */
export interface PlanContext {
  logger: Logger;
  redactor: Redactor;
  signal: AbortSignal;
}

export interface ProduceContext extends PlanContext {
  /** The archive's bytes go here (hashed, counted, written to a temporary name). End it when done. */
  out: Writable;
  /** Directory for scratch files (spooling, credential files); on the destination's file system. */
  scratchDir: string;
  /** Encryption is configured: nothing this unit spools to disk may be plaintext. */
  encryptSpool?: boolean | undefined;
}

export interface UnitProduct {
  contents: ContentEntry[];
  dumpTool: { name: string; version: string } | null;
  dumpFormat: "plain" | "custom" | "files" | null;
  serverVersion: string | null;
  tables?: SidecarTable[];
  /** Owner, grants, settings / character set of the database itself (not in its dump). */
  databaseProperties?: DatabaseProperties;
  /** A PITR base backup's LSNs, timeline and system (pitr/base-info.ts). */
  pitr?: BasePitrInfo;
  /** Non-fatal findings recorded in the sidecar and the report (e.g. a skipped vanished file). */
  warnings: string[];
}

export interface BackupUnit {
  instance: Instance;
  kind: "database" | "globals" | "files" | "basebackup";
  /** The database name; "_globals" for globals; null for files. */
  database: string | null;
  /** Archive format and compressor (config/packing.ts). */
  packing: Packing;
  /** The dump entry's extension, for a lone `.zst` stream's name (`<db>.sql.zst`); null for files. */
  dumpExtension: "sql" | "dump" | null;
  /** For --dry-run and logs: where the data comes from (never a secret). */
  describe: string;
  produce(ctx: ProduceContext): Promise<UnitProduct>;
}

export interface Source {
  plan(instance: Instance, ctx: PlanContext): Promise<BackupUnit[]>;
}
