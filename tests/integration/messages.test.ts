import { execa } from "execa";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BIN, runCli } from "../helpers/cli.js";
import { writeDbConfig } from "../helpers/db-run.js";
import { writeScript } from "../helpers/fake-tools.js";
import { makeTempDir } from "../helpers/tmp.js";

/** Issue 8 item 9: messages lead with the cause, once, without doubled prefixes or child command lines. */
const pg = inject("postgres");
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterAll(() => cleanup());

async function waitFor(file: string): Promise<void> {
  for (let i = 0; i < 600 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  expect(existsSync(file), `${file} never appeared`).toBe(true);
}

describe("error messages", () => {
  it.each([
    ["probing psql --version", "version"],
    ["listing the databases", "query"],
  ])("SIGTERM while %s (planning) says interrupted, exits 143, and shows no command line", async (_label, stage) => {
    const fake = join(dir, `fake-${stage}`);
    await mkdir(fake);
    const marker = join(dir, `started-${stage}`);
    const real = join(pg.binDir, "psql");
    // Hangs at the chosen stage (exec: the sleep is the child the tool stops), else the real psql.
    const hang = stage === "version" ? `[ "$1" = "--version" ]` : `[ "$1" != "--version" ]`;
    await writeScript(fake, "psql", `if ${hang}; then touch ${JSON.stringify(marker)}; exec sleep 60; fi\nexec ${JSON.stringify(real)} "$@"`);
    const config = await writeDbConfig(dir, `plan-${stage}.yaml`, [{ id: 1, type: "postgres", host: pg.host, port: pg.port, user: pg.user, password: "${env:PGPW}", globals: false }]);
    const child = execa(BIN, ["-c", config, "backup"], { reject: false, env: { PATH: `${fake}:${process.env.PATH}`, PGPW: pg.password }, extendEnv: false });
    await waitFor(marker);
    child.kill("SIGTERM");
    const result = await child;
    const output = `${String(result.stdout)}\n${String(result.stderr)}`;
    expect(result.exitCode, output).toBe(143);
    expect(output).toMatch(/interrupted/);
    expect(output).not.toMatch(/not found/);
    expect(output).not.toContain("--no-psqlrc");
    expect(output).not.toContain(pg.password);
  });

  it("a failed child's error leads with its stderr; the command line is only in the debug log", async () => {
    const config = await writeDbConfig(dir, "wrongpw.yaml", [{ id: 1, type: "postgres", host: pg.host, port: pg.port, user: pg.user, password: "${env:PGPW}", globals: false }]);
    const result = await runCli(["-c", config, "--json", "backup"], { env: { PGPW: "not-the-password" } });
    expect(result.exitCode).toBe(1);
    const error = String(JSON.parse(String(result.stdout)).units[0].error);
    expect(error).toMatch(/^psql exited with code 2: .*password authentication failed/s);
    expect(`${String(result.stdout)}${String(result.stderr)}`).not.toContain("--no-psqlrc");
    const debug = await runCli(["-c", config, "--log-level", "debug", "backup"], { env: { PGPW: "not-the-password" } });
    expect(String(debug.stderr)).toContain("--no-psqlrc");
    expect(String(debug.stderr)).not.toContain("not-the-password");
  });

  it("one YAML error is printed once", async () => {
    const file = join(dir, "syntax.yaml");
    await writeFile(file, "server: {name: db01\nstorage: [\n");
    const result = await runCli(["-c", file, "backup"]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr).match(/Flow map in block collection/g)).toHaveLength(1);
  });

  it("an I/O error names the file and what was being done, without doubled prefixes", async () => {
    const folder = join(dir, "folder.yaml");
    await mkdir(folder);
    const result = await runCli(["-c", folder, "backup"]);
    expect(result.exitCode).toBe(2);
    const stderr = String(result.stderr);
    expect(stderr).toContain(`cannot read ${folder}: EISDIR: illegal operation on a directory`);
    expect(stderr).not.toMatch(/\b([A-Z]{3,}): \1\b/);
  });

  it("a log file that cannot be opened is a usage error naming it, not a stack trace", async () => {
    const blocker = join(dir, "not-a-dir");
    await writeFile(blocker, "x");
    const config = await writeDbConfig(dir, "logfile.yaml", [{ id: 1, type: "files", paths: ["/etc/hostname"] }]);
    const result = await runCli(["-c", config, "--log-file", join(blocker, "vya.log"), "list"]);
    expect(result.exitCode).toBe(2);
    const stderr = String(result.stderr);
    expect(stderr).toContain(`cannot open the log file ${join(blocker, "vya.log")}`);
    expect(stderr).toMatch(/EEXIST|ENOTDIR/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
