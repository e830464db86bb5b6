import { execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { BIN } from "./cli.js";
import { psql, startPostgres, type PgServer } from "./postgres.js";

/** The postgres OS user: archive_command runs as it, so the PITR tests run the CLI as it too. */
export function postgresOsUser(): { uid: number; gid: number } {
  return { uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()) };
}

/** archive_command calling the built CLI's wal-push with `config`. */
export function archiveCommand(config: string, instance = "1"): string {
  return `${BIN} -c ${config} --log-level warn wal-push %p %f -i ${instance}`;
}

/**
 * A PostgreSQL server with WAL archiving through wal-push: a fresh cluster in root/data, or
 * (data given) a restored data directory, which then runs its recovery.
 */
export async function startArchivingServer(root: string, config: string, data?: string) {
  await mkdir(root, { recursive: true });
  return startPostgres(root, undefined, {
    settings: { wal_level: "replica", archive_mode: "on", archive_command: archiveCommand(config), max_wal_senders: "4" },
    ...(data ? { data } : {}),
  });
}

export async function poll<T>(what: string, probe: () => Promise<T | null>, maxMs = 90_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Ends the current segment and waits until the archiver has archived it; returns its name. */
export async function switchAndWaitArchived(info: PgServer): Promise<string> {
  // The insert position: with synchronous_commit off the write position may lag behind the last commit.
  const name = (await psql(info, "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")).trim();
  await psql(info, "SELECT pg_switch_wal()");
  await poll(`${name} to be archived`, async () => {
    const last = (await psql(info, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")).trim();
    return last.slice(0, 24) >= name && last.slice(8, 24) >= name.slice(8) ? last : null;
  });
  return name;
}

/** Waits until a restored server has finished recovery and promoted. */
export async function waitPromoted(info: PgServer): Promise<void> {
  await poll("recovery to end", async () => ((await psql(info, "SELECT pg_is_in_recovery()")).trim() === "f" ? true : null));
}

export async function ids(info: PgServer, table = "pitr_rows"): Promise<number[]> {
  return (await psql(info, `SELECT id FROM ${table} ORDER BY id`)).trim().split("\n").filter(Boolean).map(Number);
}
