import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { archivesIn, parseReport, writeDbConfig } from "../helpers/db-run.js";
import { mariadb } from "../helpers/mariadb.js";
import { makeTempDir } from "../helpers/tmp.js";

const my = inject("mariadb");
const DB = "vya_mtls_db";
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await mariadb(my, `CREATE DATABASE ${DB}; CREATE TABLE ${DB}.t (id INT); INSERT INTO ${DB}.t VALUES (1);`);
});
afterAll(async () => {
  await mariadb(my, `DROP DATABASE IF EXISTS ${DB}`);
  await cleanup();
});

describe("MariaDB over TLS", () => {
  const instance = (extra: Record<string, unknown>) => ({ type: "mysql", host: my.host, port: my.port, user: my.user, password: "${env:MYSU}", databases: [DB], ...extra });
  const env = { MYSU: my.password };

  it("verify-full with the server's CA succeeds; with another CA it fails on the certificate", async () => {
    expect(my.ca).toBeDefined();
    const config = await writeDbConfig(dir, "tls.yaml", [
      instance({ id: 1, name: "my-tls", ssl: "verify-full", ssl_ca: my.ca }),
      instance({ id: 2, name: "my-tls-wrong-ca", ssl: "verify-full", ssl_ca: my.otherCa }),
      instance({ id: 3, name: "my-tls-require", ssl: "require" }),
    ]);
    const result = await runCli(["-c", config, "--json", "backup"], { env });
    expect(result.exitCode).toBe(1);
    const units = parseReport(result.stdout).units;
    expect(units.find((u) => u.instance.name === "my-tls")?.status).toBe("success");
    expect(units.find((u) => u.instance.name === "my-tls-require")?.status).toBe("success");
    expect(units.find((u) => u.instance.name === "my-tls-wrong-ca")?.error).toMatch(/TLS\/SSL error: .*certificate/);
    expect(await archivesIn(join(dir, "backups", "db01", "my-tls", DB))).toHaveLength(1);
  });
});
