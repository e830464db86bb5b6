import { readFile, realpath } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withPostgresConnection } from "../../src/sources/postgres/connection.js";
import { factsBeforeDump } from "../../src/sources/postgres/dump.js";
import { findPostgresTool } from "../../src/sources/postgres/tools.js";
import { writeScript } from "../helpers/fake-tools.js";
import { makeTempDir } from "../helpers/tmp.js";

const pg = inject("postgres");
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-pg-facts-"));
});
afterAll(() => cleanup());

/**
 * The queries read before each dump (table estimates, the database's owner, grants and settings)
 * cost a psql start and a round trip each before pg_dump starts (issue 15: the fixed cost that
 * weighed on the zstd backup's ratio to pg_dump > /dev/null). They must run at once: a psql
 * wrapper holds every query until all four have started (or 5 s passed) and logs begin / end.
 */
describe("fixed costs before a PostgreSQL dump starts", () => {
  it("the four queries run at the same time, and still give the right answers", async () => {
    const real = (await findPostgresTool("psql", null)).file;
    const log = join(dir, "log");
    const wrapper = await writeScript(
      dir,
      "psql-barrier",
      `echo begin >> ${JSON.stringify(log)}
for i in $(seq 100); do [ "$(grep -c begin ${JSON.stringify(log)})" -ge 4 ] && break; sleep 0.05; done
${JSON.stringify(real)} "$@"; code=$?
echo end >> ${JSON.stringify(log)}
exit $code`,
    );
    const facts = await withPostgresConnection({ host: pg.host, port: pg.port, user: pg.user, password: pg.password }, (envFor) => factsBeforeDump({ psql: wrapper, env: envFor("postgres") }));
    const lines = (await readFile(log, "utf8")).trim().split("\n");
    expect(lines.slice(0, 4)).toEqual(["begin", "begin", "begin", "begin"]);
    expect(lines).toHaveLength(8);
    expect(facts.databaseProperties.owner).toBe(pg.user);
    expect(Array.isArray(facts.tables)).toBe(true);
  }, 60_000);

  it("a tool found through Debian's pg_wrapper (/usr/bin/psql) is called as the versioned binary it execs", async () => {
    const wrapped = await realpath("/usr/bin/psql").catch(() => "");
    if (!wrapped.endsWith("postgresql-common/pg_wrapper")) throw new Error("this test needs Debian's postgresql-common (scripts/setup-test-env.sh installs it)");
    const psqlTool = await findPostgresTool("psql", null, { pathEnv: "/usr/bin" });
    expect(psqlTool.file).toBe(`/usr/lib/postgresql/${psqlTool.version.major}/bin/psql`);
    const dump = await findPostgresTool("pg_dump", pg.major, { pathEnv: "/usr/bin" });
    expect(dump.file).toBe(`/usr/lib/postgresql/${dump.version.major}/bin/pg_dump`);
  });
});
