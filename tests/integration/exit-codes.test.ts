import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { makeTempDir } from "../helpers/tmp.js";

/** Issue 8 item 7: a config that cannot back anything up is exit 2 with one message, never a stack trace or exit 0. */
let dir: string;
let cleanup: () => Promise<void>;
let data: string;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  data = join(dir, "data");
  await mkdir(data);
  await writeFile(join(data, "f.txt"), "x");
});
afterAll(() => cleanup());

/** Exit 2, one "vya-backupdb:" message naming `expected`, no stack trace, nothing on stdout. */
function expectConfigError(result: Awaited<ReturnType<typeof runCli>>, expected: string | RegExp): void {
  expect(result.exitCode, String(result.stderr)).toBe(2);
  const stderr = String(result.stderr);
  expect(stderr).toMatch(expected);
  expect(stderr).not.toMatch(/\n\s+at |RangeError|Maximum call stack/);
  expect(stderr.match(/vya-backupdb:/g)).toHaveLength(1);
  expect(result.stdout).toBe("");
}

describe("exit codes of configs that back up nothing", () => {
  it("a YAML alias loop is a config error naming the file, not a stack trace", async () => {
    const file = join(dir, "loop.yaml");
    await writeFile(file, "a: &a [*a]\n");
    for (const command of [["config", "validate"], ["backup"]]) {
      const result = await runCli(["-c", file, ...command]);
      expectConfigError(result, /refers to itself/);
      expect(String(result.stderr)).toContain(file);
    }
  });

  it("a typo in a legacy top-level key (db_confg) is exit 2 naming the key", async () => {
    const file = join(dir, "typo.json");
    await writeFile(
      file,
      JSON.stringify({ server_info: { server_name: "x" }, paths: { backup_path: join(dir, "b1") }, db_confg: [{ id_dbms: 1, dbms: "files", db_list: [`${data}/*`] }] }),
    );
    expectConfigError(await runCli(["-c", file, "backup"]), /db_confg: unknown key/);
  });

  it.each([
    ["legacy db_config: []", "empty.json", JSON.stringify({ db_config: [], paths: { backup_path: "/nonexistent/b" } })],
    ["instances: []", "empty.yaml", stringify({ server: { name: "x" }, storage: { local: { path: "/nonexistent/b" } }, instances: [] })],
    [
      "no enabled instance",
      "disabled.yaml",
      stringify({ server: { name: "x" }, storage: { local: { path: "/nonexistent/b" } }, instances: [{ id: 1, type: "files", paths: ["/etc/hostname"], enabled: false }] }),
    ],
  ])("backup with %s is exit 2: nothing to back up", async (_label, name, text) => {
    const file = join(dir, name);
    await writeFile(file, text);
    expectConfigError(await runCli(["-c", file, "backup"]), /nothing to back up: no enabled instance/);
    expectConfigError(await runCli(["-c", file, "backup", "--dry-run"]), /nothing to back up/);
  });

  it("list -i for an instance not in the config is exit 2, like backup -i", async () => {
    const file = join(dir, "list.yaml");
    await writeFile(file, stringify({ server: { name: "x" }, storage: { local: { path: join(dir, "b2") } }, instances: [{ id: 1, name: "tree", type: "files", paths: [`${data}/*`] }] }));
    expect((await runCli(["-c", file, "backup"])).exitCode).toBe(0);
    const backup = await runCli(["-c", file, "backup", "-i", "nope"]);
    expectConfigError(backup, /unknown instance "nope"; valid: 1 \(tree\)/);
    const list = await runCli(["-c", file, "list", "-i", "nope"]);
    expectConfigError(list, /unknown instance "nope"; valid: 1 \(tree\)/);
    const known = await runCli(["-c", file, "list", "-i", "tree"]);
    expect(known.exitCode, String(known.stderr)).toBe(0);
    expect(String(known.stdout)).toContain("1 backup in");
  });
});
