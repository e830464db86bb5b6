import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, open, readFile, readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { writeStoreConfig } from "../helpers/store-config.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * wal-push / wal-fetch as PostgreSQL calls them, against local storage: idempotency, refusal of
 * different content under an archived name, end-of-archive, and a push killed mid-read.
 */
const NAME = "0000000100000000000000A1";
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
const walDir = () => join(dir, "store", "db01", "pg-wal", "_wal");
const push = (file: string, name = NAME) => runCli(["-c", config, "wal-push", file, name, "-i", "1"]);

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-pitr-wal-"));
  config = await writeStoreConfig(dir, [{ id: 1, name: "pg-wal", type: "postgres", user: "postgres", pitr: { enabled: true } }]);
});
afterAll(async () => cleanup());

describe("wal-push / wal-fetch", () => {
  it("pushes a segment once, accepts the same content again, refuses a different one and leaves the archive untouched", async () => {
    const segment = join(dir, "seg");
    const content = randomBytes(1024 * 1024);
    await writeFile(segment, content);
    const first = await push(segment);
    expect(first.stderr).toBe("");
    expect(first.exitCode).toBe(0);
    const stored = await readFile(join(walDir(), `${NAME}.gz`));
    expect(gunzipSync(stored).equals(content)).toBe(true);
    const marker = JSON.parse(await readFile(join(walDir(), `${NAME}.gz.json`), "utf8"));
    expect(marker).toMatchObject({ kind: "wal", name: NAME, size_bytes: content.length });

    const again = await push(segment);
    expect(again.exitCode).toBe(0);

    const other = join(dir, "other");
    await writeFile(other, randomBytes(1024 * 1024));
    const refused = await push(other);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`a different ${NAME} is already archived`));
    expect((await readFile(join(walDir(), `${NAME}.gz`))).equals(stored)).toBe(true);
    expect(JSON.parse(await readFile(join(walDir(), `${NAME}.gz.json`), "utf8"))).toEqual(marker);

    // wal-fetch hands back exactly what was pushed first.
    const fetched = join(dir, "fetched");
    const got = await runCli(["-c", config, "wal-fetch", NAME, fetched, "-i", "1"]);
    expect(got.exitCode).toBe(0);
    expect((await readFile(fetched)).equals(content)).toBe(true);
  });

  it("wal-fetch of a name never archived exits 1 quietly and creates nothing (PostgreSQL's end of archive)", async () => {
    const target = join(dir, "missing");
    const result = await runCli(["-c", config, "wal-fetch", "0000000100000000000000FE", target, "-i", "1"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("");
    expect(existsSync(target)).toBe(false);
  });

  it("wal-fetch refuses an object that does not match its marker with exit 126 (PostgreSQL stops the recovery rather than ending it there)", async () => {
    const name = "0000000100000000000000B0";
    const segment = join(dir, "seg-b0");
    await writeFile(segment, randomBytes(4096));
    expect((await push(segment, name)).exitCode).toBe(0);
    // Damage the stored object (same gzip framing, other content).
    const { gzipSync } = await import("node:zlib");
    await writeFile(join(walDir(), `${name}.gz`), gzipSync(randomBytes(4096)));
    const target = join(dir, "damaged");
    const result = await runCli(["-c", config, "wal-fetch", name, target, "-i", "1"]);
    expect(result.exitCode).toBe(126);
    expect(result.stderr).toMatch(/its marker says 4096 bytes/);
    // A config error too: exit 2 would read as "not archived" to PostgreSQL.
    const wrongInstance = await runCli(["-c", config, "wal-fetch", name, target, "-i", "9"]);
    expect(wrongInstance.exitCode).toBe(126);
    expect(existsSync(target)).toBe(false);
  });

  it("refuses names PostgreSQL never archives and instances without pitr", async () => {
    const segment = join(dir, "seg");
    const bad = await push(segment, "../../etc/passwd");
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/not a WAL segment/);
    const noPitr = await writeStoreConfig(join(dir), [{ id: 1, type: "postgres", user: "postgres" }]);
    const result = await runCli(["-c", noPitr, "wal-push", segment, NAME, "-i", "1"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/pitr: \{ enabled: true \}/);
    await writeStoreConfig(dir, [{ id: 1, name: "pg-wal", type: "postgres", user: "postgres", pitr: { enabled: true } }]);
  });

  it("a wal-push killed while reading the segment leaves nothing that looks archived; the retry stores it and sweeps the dead push's temporary files", async () => {
    const name = "0000000100000000000000C0";
    const tmp = join(dir, "tmp");
    await mkdir(tmp, { recursive: true });
    // The same storage, with its temporary files in tmp/.
    const tmpConfig = join(dir, "with-tmp.yaml");
    await writeFile(tmpConfig, `${await readFile(config, "utf8")}options:\n  tmp_dir: ${tmp}\n`);
    // Untagged leftovers: an hour old (swept), and fresh (might be a live push of an older version: kept).
    await mkdir(join(tmp, "vya-wal-old1"));
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(tmp, "vya-wal-old1"), hourAgo, hourAgo);
    await mkdir(join(tmp, "vya-wal-new1"));
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const child = startCli(["-c", tmpConfig, "wal-push", fifo, name, "-i", "1"]);
    // Opening the write end blocks until wal-push opened the read end: it is mid-read from here on.
    const writer = await open(fifo, "w");
    await writer.write(randomBytes(256 * 1024));
    child.kill("SIGKILL");
    const killed = await child;
    await writer.close().catch(() => undefined);
    expect(killed.signal).toBe("SIGKILL");
    const scratch = (await readdir(tmp)).filter((f) => f.startsWith("vya-wal-") && f.includes(`-${child.pid}-`));
    expect(scratch).toHaveLength(1);
    const left = await readdir(walDir()).catch(() => []);
    expect(left.filter((f) => f.startsWith(name))).toEqual([]);
    const fetched = await runCli(["-c", config, "wal-fetch", name, join(dir, "c0"), "-i", "1"]);
    expect(fetched.exitCode).toBe(1);
    // PostgreSQL retries with the whole file: now it is archived.
    const segment = join(dir, "seg-c0");
    await writeFile(segment, randomBytes(8192));
    const retry = await runCli(["-c", tmpConfig, "wal-push", segment, name, "-i", "1"]);
    expect(retry.exitCode, String(retry.stderr)).toBe(0);
    expect(existsSync(join(walDir(), `${name}.gz.json`))).toBe(true);
    // The killed push's folder (its pid is dead) and the hour-old one are gone; the fresh one stays.
    expect((await readdir(tmp)).sort()).toEqual(["vya-wal-new1"]);
  });
});

describe("wal-push / wal-fetch of an encrypted instance", () => {
  it("stores WAL age-encrypted (no plaintext byte of it readable without the key); wal-fetch decrypts with the identity", async () => {
    const root = join(dir, "enc");
    await mkdir(root, { recursive: true });
    const keyFile = join(root, "key.txt");
    const generated = await runCli(["key", "generate", "-o", keyFile]);
    expect(generated.exitCode, String(generated.stderr)).toBe(0);
    const recipient = String(generated.stdout).trim();
    const encConfig = await writeStoreConfig(root, [{ id: 1, name: "pg-enc", type: "postgres", user: "postgres", pitr: { enabled: true } }]);
    await writeFile(encConfig, `${await readFile(encConfig, "utf8")}encryption:\n  age:\n    recipients: ["${recipient}"]\n`);
    const MARKER = "PITR-PLAINTEXT-MARKER-5d1c";
    const content = Buffer.concat([Buffer.from(MARKER.repeat(2000)), randomBytes(64 * 1024)]);
    const segment = join(root, "seg");
    await writeFile(segment, content);
    const name = "0000000100000000000000D0";
    const pushed = await runCli(["-c", encConfig, "wal-push", segment, name, "-i", "1"]);
    expect(pushed.exitCode, String(pushed.stderr)).toBe(0);
    const wal = join(root, "store", "db01", "pg-enc", "_wal");
    expect((await readdir(wal)).sort()).toEqual([`${name}.gz.age`, `${name}.gz.json`]);
    const stored = await readFile(join(wal, `${name}.gz.age`));
    expect(stored.subarray(0, 22).toString("latin1")).toBe("age-encryption.org/v1\n");
    expect(stored.includes(Buffer.from(MARKER.slice(0, 12)))).toBe(false);
    expect(() => gunzipSync(stored)).toThrow();
    const marker = JSON.parse(await readFile(join(wal, `${name}.gz.json`), "utf8"));
    expect(marker.stored.encryption).toEqual({ algorithm: "age-v1", recipients: [{ type: "X25519", fingerprint: expect.stringMatching(/^sha256:/) }] });
    // The same segment again is success (the ciphertext differs each time; the plaintext's sha256 decides).
    expect((await runCli(["-c", encConfig, "wal-push", segment, name, "-i", "1"])).exitCode).toBe(0);

    // Without a key: a clear failure that stops a recovery (126, not "not archived"), nothing written.
    const noKey = await runCli(["-c", encConfig, "wal-fetch", name, join(root, "no-key"), "-i", "1"]);
    expect(noKey.exitCode).toBe(126);
    expect(String(noKey.stderr)).toMatch(/archived encrypted \(age\)/);
    expect(existsSync(join(root, "no-key"))).toBe(false);
    // With --identity, and with encryption.identity in the config: the original bytes.
    const byFlag = await runCli(["-c", encConfig, "wal-fetch", name, join(root, "by-flag"), "-i", "1", "--identity", keyFile]);
    expect(byFlag.exitCode, String(byFlag.stderr)).toBe(0);
    expect((await readFile(join(root, "by-flag"))).equals(content)).toBe(true);
    await writeFile(encConfig, `${await readFile(encConfig, "utf8")}  identity: \${file:${keyFile}}\n`);
    const byConfig = await runCli(["-c", encConfig, "wal-fetch", name, join(root, "by-config"), "-i", "1"]);
    expect(byConfig.exitCode, String(byConfig.stderr)).toBe(0);
    expect((await readFile(join(root, "by-config"))).equals(content)).toBe(true);
  });
});
