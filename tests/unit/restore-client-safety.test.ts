import { describe, expect, it } from "vitest";
import { clientErrorSummary } from "../../src/restore/client-errors.js";
import { sandboxArgs } from "../../src/restore/mysql-sandbox.js";
import { restrictedPsqlInput, withoutDumpRestrict } from "../../src/restore/psql-restricted.js";
import { parseVersion, psqlHasRestrict, psqlRestrictProblem } from "../../src/restore/versions.js";

/** Pure parts of the client safety: the restricted psql stream, the sandbox flags, error lines without data. */
async function collect(chunks: AsyncIterable<Buffer>): Promise<string> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(c);
  return Buffer.concat(out).toString();
}
async function* split(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const DUMP = "--\n-- PostgreSQL database dump\n--\n\n\\restrict AbC123\n\nSET x = 1;\nCOPY t (a) FROM stdin;\n\\restrict AbC123\n\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict AbC123\n\n";
const EXPECTED = "--\n-- PostgreSQL database dump\n--\n\n\nSET x = 1;\nCOPY t (a) FROM stdin;\n\\restrict AbC123\n\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n\n\n";

describe("psql restricted input", () => {
  it("drops exactly pg_dump's own \\restrict (preamble only) and \\unrestrict (same key), at any chunking", async () => {
    for (const size of [1, 2, 3, 7, 16, 1000]) expect(await collect(withoutDumpRestrict(split(DUMP, size)))).toBe(EXPECTED);
  });

  it("big chunks pass through as they are (not copied); the \\unrestrict line is found wherever a chunk boundary cuts it", async () => {
    const body = Buffer.from("COPY t (a) FROM stdin;\n" + "x".repeat(200_000) + "\n\\.\n");
    const text = Buffer.concat([Buffer.from("\\restrict AbC123\n\nSET x = 1;\n"), body, Buffer.from("\n\\unrestrict AbC123\n\n")]);
    const expected = text.toString().replace("\\restrict AbC123\n", "").replace("\n\\unrestrict AbC123\n", "\n\n");
    for (const cut of [text.length - 21, text.length - 18, text.length - 10, text.length - 3, text.length - 1]) {
      const bounds = [0, 30, 30 + 65536, 30 + 2 * 65536, cut, text.length].sort((a, b) => a - b);
      const chunks: Buffer[] = bounds.slice(1).map((end, i) => text.subarray(bounds[i], end)).filter((c) => c.length > 0);
      const out: Buffer[] = [];
      for await (const c of withoutDumpRestrict((async function* () { yield* chunks; })())) out.push(c);
      expect(Buffer.concat(out).toString()).toBe(expected);
      // The 64 KiB chunks in the middle are handed on as the very same buffers.
      expect(out.filter((c) => chunks.includes(c)).length).toBeGreaterThanOrEqual(2);
    }
  });

  it("a dump without the pair passes unchanged; a row like \\restrict after the first statement is data", async () => {
    const plain = "SET x = 1;\n\\restrict K\n\\unrestrict K\n";
    expect(await collect(withoutDumpRestrict(split(plain, 4)))).toBe(plain);
  });

  it("an \\unrestrict with another key, or as a prefix of a longer line, is left for psql to refuse", async () => {
    const dump = "\\restrict K1\nSELECT 1;\n\\unrestrict K2\n\\unrestrict K1x\n";
    expect(await collect(withoutDumpRestrict(split(dump, 5)))).toBe("SELECT 1;\n\\unrestrict K2\n\\unrestrict K1x\n");
  });

  it("our key comes first", async () => {
    expect(await collect(restrictedPsqlInput(split("SELECT 1;\n", 3), "deadbeef"))).toBe("\\restrict deadbeef\nSELECT 1;\n");
  });

  it("psql versions with restricted mode", () => {
    const v = (s: string) => parseVersion(s) ?? { major: 0, minor: 0, patch: 0 };
    expect(["13.22", "14.19", "15.14", "15.18", "16.10", "17.6", "18.0"].map((s) => psqlHasRestrict(v(s)))).toEqual([true, true, true, true, true, true, true]);
    expect(["13.21", "15.13", "16.9", "17.5", "12.22"].map((s) => psqlHasRestrict(v(s)))).toEqual([false, false, false, false, false]);
    expect(psqlRestrictProblem(v("15.13"))).toMatch(/psql 15\.13 has no restricted mode .*postgresql-client-15 15\.14 or newer/);
  });
});

describe("mysql client commands off", () => {
  it("--sandbox (MariaDB), --commands=OFF (Oracle), else none", () => {
    expect(sandboxArgs("  --safe-updates\n  --sandbox           Disallow commands\n")).toEqual(["--sandbox"]);
    expect(sandboxArgs("  --commands          Enable or disable processing of local mysql commands.\n")).toEqual(["--commands=OFF"]);
    expect(sandboxArgs("  --batch\n  --force\n")).toBeNull();
  });
});

describe("client error lines", () => {
  it("MariaDB: the ERROR line without the statement text that follows 'near'", () => {
    const stderr = "ERROR 1064 (42000) at line 2: You have an error in your SQL syntax; check the manual for the right syntax to use near 'THIS IS NOT SQL;\n('secret row 1'),\n('secret row 2')' at line 3\n";
    const out = clientErrorSummary(stderr);
    expect(out).toBe("ERROR 1064 (42000) at line 2: You have an error in your SQL syntax; check the manual for the right syntax to use near … (statement text left out)");
  });

  it("PostgreSQL: ERROR lines kept, DETAIL/CONTEXT/LINE (rows, statements) dropped, values masked", () => {
    const stderr = [
      'psql:<stdin>:7: ERROR:  invalid input syntax for type integer: "secret"',
      "LINE 1: INSERT INTO t VALUES ('secret');",
      "CONTEXT:  COPY t, line 3: \"secret\trow\"",
      'psql:<stdin>:9: ERROR:  new row for relation "t" violates check constraint "c"',
      "DETAIL:  Failing row contains (secret).",
      'pg_restore: error: could not execute query: ERROR:  duplicate key value violates unique constraint "t_pkey"',
      "DETAIL:  Key (id)=(secret) already exists.",
    ].join("\n");
    const out = clientErrorSummary(stderr);
    expect(out).not.toContain("secret");
    expect(out.split("\n")).toHaveLength(3);
    expect(out).toMatch(/invalid input syntax for type integer: "…"/);
    expect(out).toMatch(/relation "t" violates check constraint "c"/);
  });

  it("no error line: the client's last words (a crash)", () => {
    expect(clientErrorSummary("starting\nSegmentation fault\n")).toBe("starting\nSegmentation fault");
  });
});
