import { mkdtemp, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { ownerTag } from "./owner.js";
import { runtimeDir } from "./runtime-dir.js";

/**
 * Credentials reach database clients only through private temporary files, never argv or the
 * environment: a 0600 PGPASSFILE for PostgreSQL, a 0600 --defaults-extra-file for MySQL/MariaDB.
 * Each file lives in its own 0700 directory and is removed when the work ends, on failure too.
 * The directory sits in the private runtime directory and carries its owner's tag, so a run
 * killed before it could remove it (SIGKILL, power loss) has it removed by the next backup.
 */

/** Prefix of a credential folder: `.vya-cred-<owner tag>-<random>`. */
export const CRED_PREFIX = ".vya-cred-";

/** Writes `content` to a new 0600 file in a new 0700 directory under `dir`, runs `fn`, removes both. */
export async function withPrivateFile<T>(name: string, content: string, fn: (path: string) => Promise<T>, dir?: string): Promise<T> {
  const folder = await mkdtemp(join(dir ?? (await runtimeDir()), `${CRED_PREFIX}${ownerTag()}-`));
  try {
    const path = join(folder, name);
    const handle = await open(path, "wx", 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return await fn(path);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** One pgpass field: `\` and `:` are escaped with a backslash (libpq's rule). */
export function escapePgpassField(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/:/g, "\\:");
}

/**
 * A pgpass file matching any host, port and database for `user` (the connection parameters
 * themselves come from the environment, so the entry need not repeat them).
 */
export function pgpassContent(user: string, password: string): string {
  if (/[\r\n]/.test(password) || /[\r\n]/.test(user)) {
    throw new Error("a PostgreSQL password or user name cannot contain a line break (pgpass is line based)");
  }
  return `*:*:*:${escapePgpassField(user)}:${escapePgpassField(password)}\n`;
}

/** A value in a MySQL option file: double-quoted, with the escapes mysys understands. */
export function quoteMysqlOption(value: string): string {
  const escaped = value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t");
  return `"${escaped}"`;
}

/** The [client] group of a --defaults-extra-file: user and password only. */
export function mysqlOptionFileContent(user: string, password: string | undefined): string {
  const lines = ["[client]", `user=${quoteMysqlOption(user)}`];
  if (password !== undefined) lines.push(`password=${quoteMysqlOption(password)}`);
  return `${lines.join("\n")}\n`;
}

/** Runs `fn` with the path of a temporary PGPASSFILE for `user`; no file when there is no password. */
export async function withPgPassFile<T>(user: string, password: string | undefined, fn: (path: string | undefined) => Promise<T>, dir?: string): Promise<T> {
  if (password === undefined) return fn(undefined);
  return withPrivateFile("pgpass", pgpassContent(user, password), (path) => fn(path), dir);
}

/** Runs `fn` with the path of a temporary MySQL option file (always written: it carries the user too). */
export async function withMysqlDefaultsFile<T>(user: string, password: string | undefined, fn: (path: string) => Promise<T>, dir?: string): Promise<T> {
  return withPrivateFile("my.cnf", mysqlOptionFileContent(user, password), fn, dir);
}
