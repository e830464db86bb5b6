import { readFile, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { escapePgpassField, mysqlOptionFileContent, pgpassContent, quoteMysqlOption, withMysqlDefaultsFile, withPgPassFile, withPrivateFile } from "../../src/util/credentials.js";
import { makeTempDir } from "../helpers/tmp.js";

describe("credential files", () => {
  it("escapes pgpass fields (backslash and colon) and matches any host, port and database", () => {
    expect(escapePgpassField("a:b\\c")).toBe("a\\:b\\\\c");
    expect(pgpassContent("us:er", "p:w\\$x")).toBe("*:*:*:us\\:er:p\\:w\\\\$x\n");
    expect(() => pgpassContent("u", "two\nlines")).toThrow(/line break/);
  });

  it("quotes MySQL option values so #, quotes, backslashes and spaces survive", () => {
    expect(quoteMysqlOption(`a"b\\c #d 'e'`)).toBe(`"a\\"b\\\\c #d 'e'"`);
    expect(mysqlOptionFileContent("root", "p w")).toBe(`[client]\nuser="root"\npassword="p w"\n`);
    expect(mysqlOptionFileContent("root", undefined)).toBe(`[client]\nuser="root"\n`);
  });

  it("writes a 0600 file in a 0700 directory and removes both afterwards, on failure too", async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      let seen = "";
      await withPgPassFile("u", "secret", async (path) => {
        seen = path ?? "";
        expect((await stat(path ?? "")).mode & 0o777).toBe(0o600);
        expect((await stat(dirname(path ?? ""))).mode & 0o777).toBe(0o700);
        expect(await readFile(path ?? "", "utf8")).toBe("*:*:*:u:secret\n");
      }, dir);
      expect(existsSync(dirname(seen))).toBe(false);

      await expect(
        withMysqlDefaultsFile("u", "pw", async (path) => {
          seen = path;
          throw new Error("boom");
        }, dir),
      ).rejects.toThrow("boom");
      expect(existsSync(dirname(seen))).toBe(false);
    } finally {
      await cleanup();
    }
  });

  it("writes no pgpass file when there is no password", async () => {
    await withPgPassFile("u", undefined, async (path) => expect(path).toBeUndefined());
    await withPrivateFile("x", "y", async (path) => expect(existsSync(path)).toBe(true));
  });
});
