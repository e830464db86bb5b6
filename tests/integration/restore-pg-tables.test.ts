import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { parseReport, writeDbConfig } from "../helpers/db-run.js";
import { createDatabase, dropDatabase, psql, psqlFile } from "../helpers/postgres.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * `restore --tables` from a custom-format dump restores exactly the named tables (schema-
 * qualified or not), with their partitions and the schemas they need, into a new or an existing
 * database; the restored rows are compared with the source's.
 */
const pg = inject("postgres");
const FIXTURE = fileURLToPath(new URL("../fixtures/postgres/tables.sql", import.meta.url));
const SRC = "vya_rt_src";
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
let custom = "";
let plain = "";

/** Row count and a digest of every row of `table` (a partitioned parent reads its partitions). */
const contents = async (database: string, table: string) => (await psql(pg, `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM ${table} t`, database)).trim();
const tablesOf = async (database: string) =>
  (await psql(pg, "SELECT string_agg(n.nspname || '.' || c.relname, ',' ORDER BY n.nspname || '.' || c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'", database)).trim();
const exists = async (database: string) => (await psql(pg, `SELECT count(*) FROM pg_database WHERE datname = '${database}'`)).trim() === "1";
const cli = (args: string[]) => runCli(["-c", config, ...args], { env: { VYA_TEST_PG_PASSWORD: pg.password } });

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-restore-pgt-"));
  await createDatabase(pg, SRC);
  await psqlFile(pg, FIXTURE, SRC);
  const instance = { type: "postgres", host: pg.host, port: pg.port, user: pg.user, password: "${env:VYA_TEST_PG_PASSWORD}", databases: [SRC], globals: false };
  config = await writeDbConfig(dir, "pg.yaml", [{ ...instance, id: 1, name: "pgt-custom", format: "custom" }, { ...instance, id: 2, name: "pgt-plain" }]);
  const backup = await cli(["--json", "backup"]);
  expect(backup.exitCode, String(backup.stderr)).toBe(0);
  for (const unit of parseReport(backup.stdout).units) {
    if (unit.instance.name === "pgt-custom") custom = basename(unit.archive ?? "");
    else plain = basename(unit.archive ?? "");
  }
});
afterAll(async () => {
  for (const db of (await psql(pg, "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'vya_rt_%'")).trim().split(",").filter(Boolean)) await dropDatabase(pg, db);
  await cleanup();
});

describe("restore --tables (custom-format dump)", { timeout: 180_000 }, () => {
  it("sales.customers,items into a new database: exactly those two tables (items found in its schema), rows identical, sequence and type there", async () => {
    const result = await cli(["restore", "--file", custom, "--target", "vya_rt_two", "--tables", "sales.customers,items"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(await tablesOf("vya_rt_two")).toBe("inventory.items,sales.customers");
    for (const table of ["sales.customers", "inventory.items"]) expect(await contents("vya_rt_two", table)).toBe(await contents(SRC, table));
    expect((await psql(pg, "INSERT INTO sales.customers (name, tier) VALUES ('new', 'gold') RETURNING id", "vya_rt_two")).trim()).toBe("3001");
    expect(String(result.stdout)).toMatch(/tables restored: inventory\.items, sales\.customers/);
  });

  it("public.metrics with --jobs 2: the partitioned parent with all its partitions (one in another schema) and all rows", async () => {
    const result = await cli(["restore", "--file", custom, "--target", "vya_rt_metrics", "--tables", "public.metrics", "--jobs", "2"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(await tablesOf("vya_rt_metrics")).toBe("hist.metrics 2023,public.metrics,public.metrics_2024");
    expect(await contents("vya_rt_metrics", "public.metrics")).toBe(await contents(SRC, "public.metrics"));
    expect(await contents("vya_rt_metrics", "public.metrics")).toMatch(/^701:/);
  });

  it("a table outside public alone: its schema is created; a foreign key to a table left out is reported", async () => {
    const result = await cli(["restore", "--file", custom, "--target", "vya_rt_orders", "--tables", "sales.orders", "--jobs", "2"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(await tablesOf("vya_rt_orders")).toBe("sales.orders");
    expect(await contents("vya_rt_orders", "sales.orders")).toBe(await contents(SRC, "sales.orders"));
    expect(String(result.stdout)).toMatch(/warning: .*FK CONSTRAINT sales\.orders orders_customer_id_fkey: needs .*sales\.customers/);
  });

  it("into an existing database: the named tables are replaced, the others untouched", async () => {
    const full = await cli(["restore", "--file", custom, "--target", "vya_rt_exist"]);
    expect(full.exitCode, String(full.stderr)).toBe(0);
    await psql(pg, "DELETE FROM public.metrics WHERE v > 100; UPDATE inventory.items SET label = 'changed'; INSERT INTO inventory.orders VALUES (2, 'kept')", "vya_rt_exist");
    const result = await cli(["restore", "--file", custom, "--target", "vya_rt_exist", "--tables", "public.metrics,inventory.items", "--force", "--mode", "fast"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    for (const table of ["public.metrics", "inventory.items", "sales.customers", "sales.orders"]) expect(await contents("vya_rt_exist", table)).toBe(await contents(SRC, table));
    expect((await psql(pg, "SELECT count(*) FROM inventory.orders WHERE note = 'kept'", "vya_rt_exist")).trim()).toBe("1");
  });

  it("an unqualified name found in two schemas is refused with both candidates, nothing created", async () => {
    const result = await cli(["restore", "--file", custom, "--target", "vya_rt_twins", "--tables", "orders"]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/"orders" names 2 tables: inventory\.orders, sales\.orders/);
    expect(await exists("vya_rt_twins")).toBe(false);
  });

  it("a plain dump is refused clearly (exit 2), nothing created", async () => {
    const result = await cli(["restore", "--file", plain, "--target", "vya_rt_plain", "--tables", "sales.customers"]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/--tables needs a custom-format dump/);
    expect(await exists("vya_rt_plain")).toBe(false);
  });
});
