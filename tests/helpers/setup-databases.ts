import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mkdir } from "node:fs/promises";
import type { TestProject } from "vitest/node";
import { startMariadb, type MariaServer } from "./mariadb.js";
import { startPostgres, type PgServer } from "./postgres.js";
import { makeTestCerts } from "./tls.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgres: PgServer;
    mariadb: MariaServer;
  }
}

/**
 * Once per test run: a PostgreSQL and a MariaDB server on free loopback ports under one
 * temporary directory; tests get their addresses with inject("postgres") / inject("mariadb").
 * Teardown stops both and removes the directory.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), "vya-dbs-"));
  // The postgres OS user must reach its own directory below ours.
  await chmod(root, 0o711);
  await mkdir(join(root, "pg"));
  await mkdir(join(root, "maria"));
  await mkdir(join(root, "tls"));
  await chmod(join(root, "tls"), 0o755);
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
    await rm(root, { recursive: true, force: true });
  };
  try {
    // Both start at once; every one that came up is stopped again if the other failed.
    // Both offer TLS (not require it), so the ssl settings can be tested against real servers.
    const certs = await makeTestCerts(join(root, "tls"));
    const [pg, maria] = await Promise.allSettled([startPostgres(join(root, "pg"), certs), startMariadb(join(root, "maria"), certs)]);
    for (const started of [pg, maria]) if (started.status === "fulfilled") stops.push(started.value.stop);
    if (pg.status === "rejected") throw pg.reason;
    if (maria.status === "rejected") throw maria.reason;
    project.provide("postgres", pg.value.info);
    project.provide("mariadb", maria.value.info);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
