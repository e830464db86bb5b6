import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { archivesIn, parseReport, writeDbConfig } from "../helpers/db-run.js";
import { createDatabase, dropDatabase, psql } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

const pg = inject("postgres");
const DB = "vya_tls_db";
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await createDatabase(pg, DB);
  await psql(pg, "CREATE TABLE t (id int); INSERT INTO t VALUES (1);", DB);
});
afterAll(async () => {
  await dropDatabase(pg, DB);
  await cleanup();
});

describe("PostgreSQL over TLS", () => {
  const instance = (extra: Record<string, unknown>) => ({ type: "postgres", host: pg.host, port: pg.port, user: pg.user, password: "${env:PGSU}", databases: [DB], globals: false, ...extra });
  const env = { PGSU: pg.password };

  it("verify-full with the server's CA succeeds; with another CA it fails on the certificate", async () => {
    expect(pg.ca).toBeDefined();
    const config = await writeDbConfig(dir, "tls.yaml", [
      instance({ id: 1, name: "pg-tls", ssl: "verify-full", ssl_ca: pg.ca }),
      instance({ id: 2, name: "pg-tls-wrong-ca", ssl: "verify-full", ssl_ca: pg.otherCa }),
    ]);
    const result = await runCli(["-c", config, "--json", "backup"], { env });
    expect(result.exitCode).toBe(1);
    const units = parseReport(result.stdout).units;
    expect(units.find((u) => u.instance.name === "pg-tls")?.status).toBe("success");
    expect(units.find((u) => u.instance.name === "pg-tls-wrong-ca")?.error).toMatch(/certificate verify failed/);
    expect(await archivesIn(join(dir, "backups", "db01", "pg-tls", DB))).toHaveLength(1);
  });

  it("ssl: disable still connects (TLS is offered, not required, by this server)", async () => {
    const config = await writeDbConfig(dir, "notls.yaml", [instance({ id: 3, name: "pg-notls", ssl: "disable" })]);
    const result = await runCli(["-c", config, "backup"], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
  });
});
