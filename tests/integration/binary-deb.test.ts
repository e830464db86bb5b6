import { cp, readdir, readFile, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTarGz, sha256File } from "../helpers/archives.js";
import { DEB, NODE_VERSION, ROOT, SEA_BIN, SEA_METAFILE, VERSION, buildBinaryAndDeb } from "../helpers/binary.js";
import { makeTempDir } from "../helpers/tmp.js";

// The single executable and the Debian package (issue 13). scripts/test.sh builds both before the
// suite; run alone, beforeAll builds them (a minute or more).
const isRoot = process.getuid?.() === 0;
const run = (file: string, args: string[], cwd?: string) => execa(file, args, { reject: false, cwd, stdin: "ignore", timeout: 120_000 });
/** `env -i`: the command sees no environment at all, so no node, no PATH. */
const bare = (args: string[], cwd?: string) => run("env", ["-i", ...args], cwd);

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  buildBinaryAndDeb();
  ({ dir, cleanup } = await makeTempDir());
}, 900_000);
afterAll(() => cleanup?.());

describe("the single executable (dist-bin/vya-backupdb)", () => {
  it("starts with an empty environment, prints the version and no SEA warning", async () => {
    const result = await bare([SEA_BIN, "--version"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe(VERSION);
    expect(result.stderr).toBe("");
  });

  it("is a Node 24 single executable (blob injected) and its .sha256 names it", async () => {
    const binary = await readFile(SEA_BIN);
    // The fuse postject flips when it injects the blob ("…:1"), and the pinned Node's version string.
    expect(binary.includes("NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1")).toBe(true);
    expect(NODE_VERSION).toMatch(/^24\./);
    expect(binary.includes(`v${NODE_VERSION}`)).toBe(true);
    const line = await readFile(`${SEA_BIN}.sha256`, "utf8");
    expect(line).toBe(`${await sha256File(SEA_BIN)}  vya-backupdb\n`);
  });
});

/** The npm packages and source files in the chunks a run of the binary loaded (VYA_BACKUPDB_SEA_TRACE lines). */
async function loadedCode(args: string[]): Promise<{ caches: string[]; inputs: string[] }> {
  const result = await run("env", ["-i", "VYA_BACKUPDB_SEA_TRACE=1", SEA_BIN, ...args], ROOT);
  expect(result.exitCode, result.stderr).toBe(0);
  const meta = JSON.parse(await readFile(SEA_METAFILE, "utf8")) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const byChunk = new Map(Object.entries(meta.outputs).map(([file, output]) => [basename(file), Object.keys(output.inputs)]));
  const lines = [...result.stderr.matchAll(/^sea: (\S+) \(code cache (\w+)\)$/gm)];
  expect(lines.length).toBeGreaterThan(0);
  const inputs = lines.flatMap(([, chunk]) => byChunk.get(chunk!) ?? [`unknown chunk ${chunk}`]);
  // "node_modules/zod/v4/core/api.js" → "zod"; source files stay as they are.
  const names = inputs.map((input) => input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? input);
  return { caches: lines.map(([, , status]) => status!), inputs: [...new Set(names)].sort() };
}

describe("the single executable loads only what a command needs", () => {
  it("--version: the entry, commander, the command table and the error types, nothing else; every code cache accepted", async () => {
    const { caches, inputs } = await loadedCode(["--version"]);
    expect(new Set(caches)).toEqual(new Set(["accepted"]));
    expect(inputs).toEqual(["commander", "src/cli/command-summaries.ts", "src/cli/commands.ts", "src/cli/main.ts", "src/sea/chunk-format.ts", "src/util/errors.ts", "src/version.ts"]);
  });

  it("top-level --help: the commands' stored summaries, no command module; the same text as node dist/cli.js", async () => {
    const { caches, inputs } = await loadedCode(["--help"]);
    expect(new Set(caches)).toEqual(new Set(["accepted"]));
    expect(inputs).toEqual(["commander", "src/cli/command-summaries.ts", "src/cli/commands.ts", "src/cli/main.ts", "src/sea/chunk-format.ts", "src/util/errors.ts", "src/version.ts"]);
    const binary = await bare([SEA_BIN, "--help"]);
    const developer = await run(process.execPath, [join(ROOT, "bin/vya-backupdb"), "--help"]);
    expect(binary.stdout).toContain("wal-fetch [options] <name> <path>");
    expect(binary.stdout).toBe(developer.stdout);
  });

  it("config validate: the config stack, but no storage SDK, mailer or archive writer", async () => {
    const { caches, inputs } = await loadedCode(["-c", "examples/quickstart/vya-backupdb.yaml", "config", "validate"]);
    expect(new Set(caches)).toEqual(new Set(["accepted"]));
    expect(inputs).toEqual(expect.arrayContaining(["yaml", "zod", "src/config/load.ts"]));
    const heavy = inputs.filter((name) => /^(@aws-sdk|@smithy|ssh2|ssh2-sftp-client|nodemailer|archiver|tar|yauzl|prom-client|age-encryption)$/.test(name));
    expect(heavy).toEqual([]);
  });
});

describe.skipIf(!isRoot)("the Debian package (root: dpkg -i, then dpkg --purge)", () => {
  const leftovers = ["/usr/bin/vya-backupdb", "/etc/vya-backupdb", "/var/lib/vya-backupdb", "/usr/share/doc/vya-backupdb", "/usr/share/vya-backupdb", "/usr/share/man/man1/vya-backupdb.1.gz", "/lib/systemd/system/vya-backupdb.service", "/lib/systemd/system/vya-backupdb.timer"];

  beforeAll(async () => {
    await run("dpkg", ["--purge", "vya-backupdb"]); // a previous run killed half-way
  });
  afterAll(async () => {
    await run("dpkg", ["--purge", "vya-backupdb"]);
  });

  it("installs: binary in /usr/bin, system user, safe modes, units, man page, schema, examples", async () => {
    const install = await run("dpkg", ["--force-unsafe-io", "-i", DEB]);
    expect(install.exitCode, install.stderr).toBe(0);
    expect((await bare(["/usr/bin/vya-backupdb", "--version"])).stdout).toBe(VERSION);
    const user = (await run("getent", ["passwd", "vya-backupdb"])).stdout.split(":");
    expect(Number(user[2])).toBeLessThan(1000);
    expect(user[6]).toBe("/usr/sbin/nologin");
    const gid = Number((await run("getent", ["group", "vya-backupdb"])).stdout.split(":")[2]);
    const etc = await stat("/etc/vya-backupdb");
    expect([etc.mode & 0o7777, etc.uid, etc.gid]).toEqual([0o750, 0, gid]);
    const config = await stat("/etc/vya-backupdb/config.yaml");
    expect([config.mode & 0o7777, config.uid, config.gid]).toEqual([0o640, 0, gid]);
    const state = await stat("/var/lib/vya-backupdb");
    expect([state.mode & 0o7777, state.uid, state.gid]).toEqual([0o750, Number(user[2]), gid]);
    expect(await readFile("/lib/systemd/system/vya-backupdb.service", "utf8")).toContain("ExecStart=/usr/bin/vya-backupdb ");
    expect(existsSync("/lib/systemd/system/vya-backupdb.timer")).toBe(true);
    const man = await run("sh", ["-c", "zcat /usr/share/man/man1/vya-backupdb.1.gz"]);
    expect(man.stdout).toContain(".SS restore");
    expect(JSON.parse(await readFile("/usr/share/vya-backupdb/vya-backupdb.schema.json", "utf8")).title).toBe("vya-backupdb configuration");
    // The shipped config is the one found without --config, and it is valid.
    const validate = await bare(["/usr/bin/vya-backupdb", "config", "validate"], dir);
    expect(validate.exitCode, validate.stderr).toBe(0);
    expect(validate.stdout).toContain("/etc/vya-backupdb/config.yaml: valid");
  });

  it("runs the quick start from /usr/bin with env -i and the archive holds the example files", async () => {
    // The example's storage path is ../../backups: copy it two levels down so that lands in dir.
    await cp("/usr/share/doc/vya-backupdb/examples/quickstart", join(dir, "examples", "quickstart"), { recursive: true });
    const backup = await bare(["/usr/bin/vya-backupdb", "-c", join(dir, "examples/quickstart/vya-backupdb.yaml"), "--json", "backup"], dir);
    expect(backup.exitCode, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout).units.map((u: { status: string }) => u.status)).toEqual(["success", "success"]);
    const tarDir = join(dir, "backups", "quickstart", "example-files");
    const archive = (await readdir(tarDir)).find((f) => f.endsWith(".tar.gz"));
    const entries = await readTarGz(join(tarDir, archive!));
    const appYaml = [...entries.entries()].find(([name]) => name.endsWith("examples/quickstart/data/etc/app/app.yaml"));
    expect(appYaml?.[1].content?.toString()).toBe(await readFile(join(dir, "examples/quickstart/data/etc/app/app.yaml"), "utf8"));
  });

  it("purges cleanly: no files, directories, user or group left", async () => {
    const purge = await run("dpkg", ["--force-unsafe-io", "--purge", "vya-backupdb"]);
    expect(purge.exitCode, purge.stderr).toBe(0);
    expect(leftovers.filter((path) => existsSync(path))).toEqual([]);
    expect((await run("getent", ["passwd", "vya-backupdb"])).exitCode).toBe(2);
    expect((await run("getent", ["group", "vya-backupdb"])).exitCode).toBe(2);
    expect((await run("dpkg-query", ["-W", "vya-backupdb"])).exitCode).not.toBe(0);
  });
});
