import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { ownerTag } from "../../src/util/owner.js";
import { sha256File } from "../../src/verify/checksum.js";
import { startCli, runCli } from "../helpers/cli.js";
import { parseReport, readSidecar } from "../helpers/db-run.js";
import { writeScript } from "../helpers/fake-tools.js";
import { mariadb, quoteMysqlIdent } from "../helpers/mariadb.js";
import { createDatabase, createRole, dropDatabase, psql } from "../helpers/postgres.js";
import { s3Objects, s3Remote, sftpRemote } from "../helpers/remotes.js";
import { startRemoteServers, type RemoteServers } from "../helpers/remote-servers.js";

/**
 * Encryption at rest (age) end to end through the real CLI: PostgreSQL (with its globals),
 * MariaDB (tar.gz: the spool) and files, each encrypted as written and copied to S3 and SFTP;
 * restored from the remotes with the identity and compared with the source; no marker string
 * of the data on any disk or remote while the backup runs; the stock age CLI reads the archives;
 * verify and restore refuse a missing or wrong key and an altered ciphertext, touching nothing.
 */
const pg = inject("postgres");
const my = inject("mariadb");
const MARKER = "vya-enc-marker-3f9c2a";
const PGDB = "vya_enc_src";
const MYDB = "vya_enc_src";
const ROLE = "vya_enc_role";
const ROLE_PASSWORD = "enc-role-pw-71c0";
let servers: RemoteServers;
let dir: string;
let config: string;
let keyFile: string;
let otherKey: string;
let recipient: string;
let env: Record<string, string>;
let archives: Record<"pg" | "globals" | "my" | "files", string>;

/** Every file below `root` whose bytes hold the marker (or the role's password). */
async function plaintextFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const names = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  for (const name of names) {
    const path = join(root, String(name));
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) continue;
    const bytes = await readFile(path).catch(() => Buffer.alloc(0));
    if (bytes.includes(MARKER) || bytes.includes(ROLE_PASSWORD)) found.push(path);
  }
  return found;
}

async function noPlaintextAnywhere(): Promise<void> {
  expect(await plaintextFiles(join(dir, "store"))).toEqual([]);
  expect(await plaintextFiles(join(dir, "tmp"))).toEqual([]);
  expect(await plaintextFiles(servers.ssh.root)).toEqual([]);
  for (const [key, bytes] of await s3Objects(servers.s3)) expect(bytes.includes(MARKER), key).toBe(false);
}

async function cli(args: string[], configFile = config) {
  const result = await runCli(["-c", configFile, ...args], { env });
  const key = await readFile(keyFile, "utf8");
  const secret = key.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-")) as string;
  for (const output of [result.stdout, result.stderr]) {
    expect(String(output)).not.toContain(secret);
    expect(String(output)).not.toContain(pg.password);
    expect(String(output)).not.toContain(my.password);
  }
  return result;
}

const pgRows = (db: string) => psql(pg, "SELECT string_agg(id || ':' || note, ',' ORDER BY id) FROM items", db);
const myRows = (db: string) => mariadb(my, "SELECT GROUP_CONCAT(id, ':', note ORDER BY id) FROM items", db);

beforeAll(async () => {
  servers = await startRemoteServers("vya-encryption-");
  dir = servers.dir;
  env = { ...servers.env, VYA_TEST_PG_PASSWORD: pg.password, VYA_TEST_MY_PASSWORD: my.password };
  await mkdir(join(dir, "tmp"), { recursive: true });
  // key generate: the identity file and the recipient the config uses.
  keyFile = join(dir, "key.txt");
  const generated = await runCli(["key", "generate", "-o", keyFile]);
  expect(generated.exitCode, String(generated.stderr)).toBe(0);
  recipient = String(generated.stdout).trim();
  otherKey = join(dir, "other.txt");
  expect((await runCli(["key", "generate", "-o", otherKey])).exitCode).toBe(0);

  await createDatabase(pg, PGDB);
  await psql(pg, `CREATE TABLE items (id int PRIMARY KEY, note text); INSERT INTO items SELECT g, '${MARKER}-' || g FROM generate_series(1, 300) g;`, PGDB);
  await createRole(pg, ROLE, ROLE_PASSWORD);
  await mariadb(my, `CREATE DATABASE ${quoteMysqlIdent(MYDB)}`);
  await mariadb(my, `CREATE TABLE items (id INT PRIMARY KEY, note TEXT); INSERT INTO items SELECT seq, CONCAT('${MARKER}-', seq) FROM seq_1_to_300;`, MYDB);
  await mkdir(join(dir, "src", "sub"), { recursive: true });
  await writeFile(join(dir, "src", "a.txt"), `${MARKER} in a file\n`);
  await writeFile(join(dir, "src", "sub", "b.txt"), "second file\n");

  // The dumps wait for a go file once their output is complete: the spool and partials are on disk then.
  const gate = join(dir, "gate");
  await mkdir(gate);
  const gated = (real: string, tool: string) =>
    `if [[ " $* " == *" --version "* || " $* " == *" --help "* ]]; then exec ${real} "$@"; fi\n${real} "$@"; rc=$?\ntouch ${gate}/${tool}.done\nwhile [ ! -e ${gate}/go ]; do sleep 0.05; done\nexit $rc`;
  const pgTools = join(dir, "pg-tools");
  await mkdir(pgTools);
  await writeScript(pgTools, "pg_dump", gated(join(pg.binDir, "pg_dump"), "pg_dump"));
  for (const tool of ["pg_dumpall", "psql", "pg_restore"]) await writeScript(pgTools, tool, `exec ${join(pg.binDir, tool)} "$@"`);
  const myDump = await writeScript(join(dir, "gate"), "mariadb-dump", gated("$(command -v mariadb-dump)", "mariadb-dump"));
  // Stored (level 0): without encryption the marker would be on disk as is, so the scan would see it.
  const common = { compression_level: 0 };
  config = join(dir, "config.yaml");
  await writeFile(
    config,
    stringify({
      server: { name: "db01" },
      storage: { local: { path: join(dir, "store") }, remotes: [s3Remote(servers.s3), sftpRemote(servers.ssh, join(servers.ssh.root, "backups"))] },
      options: { tmp_dir: join(dir, "tmp"), concurrency: 4 },
      encryption: { age: { recipients: [recipient] } },
      instances: [
        { id: 1, name: "pg", type: "postgres", host: pg.host, port: pg.port, user: pg.user, password: "${env:VYA_TEST_PG_PASSWORD}", databases: [PGDB], pg_dump_path: pgTools, ...common },
        { id: 2, name: "maria", type: "mysql", host: my.host, port: my.port, user: my.user, password: "${env:VYA_TEST_MY_PASSWORD}", databases: [MYDB], archive: "tar.gz", dump_path: myDump, ...common },
        { id: 3, name: "files", type: "files", paths: [join(dir, "src", "**")], archive: "zip", ...common },
      ],
    }),
  );

  const backup = startCli(["-c", config, "--json", "backup"], { env });
  // While both dumps are held: everything is written that will be before the archives finish.
  for (let i = 0; i < 600 && !(existsSync(join(gate, "pg_dump.done")) && existsSync(join(gate, "mariadb-dump.done"))); i++) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(join(gate, "mariadb-dump.done")), "the MariaDB dump ran").toBe(true);
  const spools = (await readdir(join(dir, "tmp"), { recursive: true })).map(String).filter((n) => n.includes(".vya-spool-") && n.endsWith(".sql"));
  expect(spools, "the tar.gz dump is spooled").toHaveLength(1);
  await noPlaintextAnywhere();
  await writeFile(join(gate, "go"), "");
  const result = await backup;
  expect(result.exitCode, String(result.stderr)).toBe(0);
  const units = parseReport(result.stdout).units;
  const archiveOf = (instance: string, kind = "database") => units.find((u) => u.instance.name === instance && u.kind === kind)?.archive ?? "";
  archives = { pg: archiveOf("pg"), globals: archiveOf("pg", "globals"), my: archiveOf("maria"), files: archiveOf("files", "files") };
}, 120_000);

afterAll(async () => {
  for (const db of ["vya_enc_pg_s3", "vya_enc_untouched", PGDB]) await dropDatabase(pg, db).catch(() => undefined);
  await psql(pg, `DROP ROLE IF EXISTS ${ROLE}`).catch(() => undefined);
  for (const db of ["vya_enc_my_sftp", "vya_enc_untouched", MYDB]) await mariadb(my, `DROP DATABASE IF EXISTS ${quoteMysqlIdent(db)}`).catch(() => undefined);
  await servers?.stop();
});

describe("encrypted backups", () => {
  it("every archive (globals too) is age, named .age, its sidecar records the encryption but no secret; nothing plaintext anywhere", async () => {
    for (const archive of Object.values(archives)) {
      expect(archive).toMatch(/\.(zip|tar\.gz)\.age$/);
      expect((await readFile(archive)).subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
      const sidecar = await readSidecar(archive);
      expect(sidecar.encryption?.algorithm).toBe("age-v1");
      expect(sidecar.encryption?.recipients).toEqual([{ type: "X25519", fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) }]);
      expect(sidecar.archive.sha256).toBe(await sha256File(archive));
      expect(await readFile(`${archive}.json`, "utf8")).not.toMatch(/AGE-SECRET-KEY/);
    }
    await noPlaintextAnywhere();
  });

  it("the stock age CLI decrypts them to archives unzip -t / tar tzf accept, with the plaintext sha256 the sidecar records", async () => {
    const run = promisify(execFile);
    for (const [kind, archive] of Object.entries(archives)) {
      const out = join(dir, `plain-${kind}`);
      await run("age", ["-d", "-i", keyFile, "-o", out, archive]);
      const sidecar = await readSidecar(archive);
      expect(await sha256File(out)).toBe(sidecar.encryption?.plaintext?.sha256);
      if (sidecar.archive.format === "zip") await run("unzip", ["-t", out]);
      else expect((await run("tar", ["tzf", out])).stdout).toContain(".sql");
      // The control: the stored archives hold the marker in clear once decrypted, so the scan above would see plaintext.
      if (kind !== "globals") expect((await readFile(out)).includes(MARKER)).toBe(true);
    }
    expect((await readFile(join(dir, "plain-globals"))).includes(ROLE)).toBe(true);
  });

  it("PostgreSQL from S3 with --identity: the restored rows are the source's", async () => {
    const result = await cli(["restore", "--storage", "offsite", "--file", basename(archives.pg), "--target", "vya_enc_pg_s3", "--identity", keyFile]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(await pgRows("vya_enc_pg_s3")).toBe(await pgRows(PGDB));
  });

  it("MariaDB (tar.gz, encrypted spool) from SFTP with encryption.identity in the config: the restored rows are the source's", async () => {
    const withIdentity = join(dir, "with-identity.yaml");
    const text = await readFile(config, "utf8");
    await writeFile(withIdentity, text.replace(/^encryption:\n/m, `encryption:\n  identity: \${file:${keyFile}}\n`));
    const result = await cli(["restore", "--storage", "nas", "--file", basename(archives.my), "--target", "vya_enc_my_sftp"], withIdentity);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(await myRows("vya_enc_my_sftp")).toBe(await myRows(MYDB));
  });

  it("files from S3: the restored tree is the source's", async () => {
    const target = join(dir, "restored");
    const result = await cli(["restore", "--storage", "offsite", "--file", basename(archives.files), "--target", target, "--identity", keyFile]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const restored = join(target, dir, "src");
    expect(await readFile(join(restored, "a.txt"), "utf8")).toBe(`${MARKER} in a file\n`);
    expect(await readFile(join(restored, "sub", "b.txt"), "utf8")).toBe("second file\n");
  });

  it("verify without a key checks size, sha256 and the age header; with --identity everything", async () => {
    const noKey = await cli(["verify", "--file", archives.pg]);
    expect(noKey.exitCode, String(noKey.stdout)).toBe(0);
    expect(String(noKey.stdout)).toMatch(/encryption: age v1 header: X25519 stanza\(s\); contents not checked/);
    const withKey = await cli(["verify", "--file", archives.pg, "--identity", keyFile]);
    expect(withKey.exitCode, String(withKey.stdout)).toBe(0);
    expect(String(withKey.stdout)).toMatch(/encryption: decrypted \(age v1\)/);
    expect(String(withKey.stdout)).toMatch(/ok   dump: complete/);
  });
});

describe("refusals: nothing touched", () => {
  const untouched = async () => {
    expect((await psql(pg, "SELECT count(*) FROM pg_database WHERE datname = 'vya_enc_untouched'")).trim()).toBe("0");
  };

  it("restore without a key or with the wrong one: exit 1, a clear reason, no database created", async () => {
    const missing = await cli(["restore", "--file", archives.pg, "--target", "vya_enc_untouched"]);
    expect(missing.exitCode).toBe(1);
    expect(String(missing.stderr)).toMatch(/is encrypted \(age\): give its identity with --identity FILE/);
    const wrong = await cli(["restore", "--file", archives.pg, "--target", "vya_enc_untouched", "--identity", otherKey]);
    expect(wrong.exitCode).toBe(1);
    expect(String(wrong.stderr)).toMatch(/cannot decrypt .*wrong key/);
    await untouched();
    const verify = await cli(["verify", "--file", archives.pg, "--identity", otherKey]);
    expect(verify.exitCode).toBe(1);
    expect(String(verify.stdout)).toMatch(/FAIL encryption: cannot decrypt .*wrong key/);
  });

  it.each([
    ["truncated", "verify", (b: Buffer) => b.subarray(0, b.length - 100)],
    ["bit-flipped", "restore", (b: Buffer) => Buffer.from(b).fill(b[b.length - 300]! ^ 4, b.length - 300, b.length - 299)],
  ] as const)("a %s ciphertext whose sidecar was made to match it: refused by decryption (%s)", async (name, command, damage) => {
    // A copy whose sidecar records the damaged file's size and sha256, so decryption itself must refuse it.
    const folder = join(dir, `damaged-${name}`);
    await mkdir(folder, { recursive: true });
    const copy = join(folder, basename(archives.pg));
    await writeFile(copy, damage(await readFile(archives.pg)));
    const sidecar = JSON.parse(await readFile(`${archives.pg}.json`, "utf8")) as { archive: { size_bytes: number; sha256: string } };
    sidecar.archive.size_bytes = (await stat(copy)).size;
    sidecar.archive.sha256 = await sha256File(copy);
    await writeFile(`${copy}.json`, JSON.stringify(sidecar));
    if (command === "verify") {
      const verify = await cli(["verify", "--file", copy, "--identity", keyFile]);
      expect(verify.exitCode).toBe(1);
      expect(String(verify.stdout)).toMatch(/FAIL encryption: cannot decrypt/);
    } else {
      const restore = await cli(["restore", "--file", copy, "--target", "vya_enc_untouched", "--identity", keyFile]);
      expect(restore.exitCode).toBe(1);
      expect(String(restore.stderr)).toMatch(/cannot decrypt .*(damaged|altered)/);
      await untouched();
    }
  });
});

describe("leftovers", () => {
  it("the plaintext copy a killed verify/restore left in tmp_dir is removed by the next backup", async () => {
    // The tag of a process of this machine that is not running (its start time cannot match).
    const tag = ownerTag().replace(/-(\d+)-(\d+)$/, "-$1-1");
    const tmp = join(dir, "tmp-leftover");
    const left = join(tmp, `vya-decrypt-${tag}-AbC123`);
    await mkdir(left, { recursive: true });
    await writeFile(join(left, "app.zip"), MARKER);
    const small = join(dir, "small.yaml");
    await writeFile(small, stringify({ server: { name: "db01" }, storage: { local: { path: join(dir, "store-small") } }, options: { tmp_dir: tmp }, encryption: { age: { recipients: [recipient] } }, instances: [{ id: 3, name: "files", type: "files", paths: [join(dir, "src", "a.txt")] }] }));
    const result = await cli(["backup"], small);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(existsSync(left)).toBe(false);
  });
});
