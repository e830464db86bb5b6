import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyFile } from "../../src/crypto/keygen.js";
import { parseIdentities } from "../../src/crypto/keys.js";
import { parseAgeHeader, readAgeHeader } from "../../src/crypto/header.js";
import { createSpoolCipher } from "../../src/crypto/spool.js";
import { createDecryptStream, createEncryptStream, decryptionError, type AgeKeys, type AgeTarget } from "../../src/crypto/streams.js";
import { recipientFingerprint } from "../../src/crypto/target.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * The age stage against the stock `age` CLI (Debian package age): what we write, age -d reads;
 * what age writes, we read; a wrong key, a cut or altered ciphertext are refused.
 */
const run = promisify(execFile);
let dir: string;
let cleanup: () => Promise<void>;
let keyFile: string;
let recipient: string;
let keys: AgeKeys;
/** 3 chunks of 64 KiB and a bit: the STREAM's chunk boundaries and its last-chunk flag both matter. */
const plain = randomBytes(3 * 65536 + 1234);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function encryptTo(file: string, data: Buffer, target: AgeTarget = { recipients: [recipient] }): Promise<void> {
  await pipeline(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), createEncryptStream(target), createWriteStream(file));
}

async function decryptFile(file: string, with_: AgeKeys = keys): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(createReadStream(file), createDecryptStream(with_), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-crypto-"));
  keyFile = join(dir, "key.txt");
  recipient = (await generateKeyFile(keyFile)).recipient;
  keys = { identities: parseIdentities(await readFile(keyFile, "utf8"), keyFile), passphrases: [] };
});
afterAll(async () => cleanup());

describe("age interop with the stock age CLI", () => {
  it("our ciphertext decrypts with age -d -i to the same bytes", async () => {
    const enc = join(dir, "ours.age");
    await encryptTo(enc, plain);
    const out = join(dir, "ours.plain");
    await run("age", ["-d", "-i", keyFile, "-o", out, enc]);
    expect(sha(await readFile(out))).toBe(sha(plain));
    expect((await readAgeHeader(enc)).stanzas).toEqual(["X25519"]);
  });

  it("a file encrypted by age -r to our recipient decrypts with our stream", async () => {
    const src = join(dir, "theirs.bin");
    await writeFile(src, plain);
    await run("age", ["-r", recipient, "-o", join(dir, "theirs.age"), src]);
    expect(sha(await decryptFile(join(dir, "theirs.age")))).toBe(sha(plain));
  });

  // The payload's edges: empty (one empty last chunk), exactly one and two full chunks (the last one full, marked last).
  it.each([0, 65536, 131072])("%i bytes: ours decrypts with age, age's with ours, byte for byte", async (size) => {
    const data = randomBytes(size);
    const ours = join(dir, `edge-${size}.age`);
    await encryptTo(ours, data);
    const decrypted = await run("age", ["-d", "-i", keyFile, ours], { encoding: "buffer" });
    expect(sha(decrypted.stdout)).toBe(sha(data));
    const out = join(dir, `edge-${size}.plain`);
    await writeFile(out, data);
    await run("age", ["-r", recipient, "-o", join(dir, `edge-${size}.theirs`), out]);
    expect(sha(await decryptFile(join(dir, `edge-${size}.theirs`)))).toBe(sha(data));
  });

  it("key generate's file is 0600 and age-keygen -y derives the recipient it printed", async () => {
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await run("age-keygen", ["-y", keyFile])).stdout.trim()).toBe(recipient);
    await expect(generateKeyFile(keyFile)).rejects.toThrow(/already exists: not overwritten/);
  });

  it("a passphrase (scrypt) archive decrypts with the passphrase only", async () => {
    const enc = join(dir, "pass.age");
    // A low scrypt work factor keeps the test fast; the default (18) takes seconds in pure JS.
    await encryptTo(enc, plain.subarray(0, 5000), { passphrase: "correct horse", scryptWorkFactor: 10 });
    expect((await readAgeHeader(enc)).stanzas).toEqual(["scrypt"]);
    expect(sha(await decryptFile(enc, { identities: [], passphrases: ["correct horse"] }))).toBe(sha(plain.subarray(0, 5000)));
    await expect(decryptFile(enc, { identities: [], passphrases: ["wrong"] })).rejects.toThrow();
  });
});

describe("refusals", () => {
  let enc: Buffer;
  beforeAll(async () => {
    await encryptTo(join(dir, "good.age"), plain);
    enc = await readFile(join(dir, "good.age"));
  });

  it("a wrong identity is refused with a clear message and no key material", async () => {
    const other = join(dir, "other.txt");
    await generateKeyFile(other);
    const otherKeys = { identities: parseIdentities(await readFile(other, "utf8"), other), passphrases: [] };
    const err = await decryptFile(join(dir, "good.age"), otherKeys).catch((e: unknown) => e);
    const message = decryptionError(err, "X").message;
    expect(message).toMatch(/wrong key/);
    expect(message).not.toContain("AGE-SECRET-KEY");
  });

  it.each([
    // Header, 16-byte nonce, then exactly one whole chunk: well-formed but not marked last.
    ["truncated at a chunk boundary", (b: Buffer) => b.subarray(0, b.indexOf("\n", b.indexOf("\n---") + 1) + 1 + 16 + 65536 + 16)],
    ["truncated by one byte", (b: Buffer) => b.subarray(0, b.length - 1)],
    ["one bit flipped in the payload", (b: Buffer) => Buffer.from(b).fill(b[b.length - 5000]! ^ 1, b.length - 5000, b.length - 4999)],
    ["one bit flipped in the header", (b: Buffer) => Buffer.from(b).fill(b[40]! ^ 1, 40, 41)],
  ])("%s: refused", async (_name, damage) => {
    const file = join(dir, "damaged.age");
    await writeFile(file, damage(enc));
    await expect(decryptFile(file)).rejects.toThrow();
  });

  it("the header check without a key: not age, no MAC line", () => {
    expect(() => parseAgeHeader("PK\u0003\u0004…", "a.zip.age")).toThrow(/does not start with an age v1 header/);
    expect(() => parseAgeHeader("age-encryption.org/v1\n-> X25519 abc\nxyz\n", "a")).toThrow(/no MAC line/);
  });
});

describe("encrypted spool", () => {
  it("holds ciphertext only and gives back the plaintext with its size", async () => {
    const cipher = await createSpoolCipher();
    const file = join(dir, "spool");
    await pipeline(Readable.from([plain]), cipher.counter, cipher.encrypt(), createWriteStream(file));
    const onDisk = await readFile(file);
    expect(onDisk.subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
    expect(onDisk.includes(plain.subarray(100, 132))).toBe(false);
    const opened = await cipher.open(file);
    expect(opened.stat.size).toBe(plain.length);
    const chunks: Buffer[] = [];
    for await (const chunk of opened.body) chunks.push(chunk);
    expect(sha(Buffer.concat(chunks))).toBe(sha(plain));
  });
});

describe("identities and recipients", () => {
  it("parses age-keygen files, refuses others without quoting them", () => {
    expect(() => parseIdentities("# nothing\n", "f")).toThrow(/holds no age identity/);
    expect(() => parseIdentities("AGE-SECRET-KEY-1ABC\nhunter2-secret\n", "f")).toThrow(/line 2 .* not an age X25519 identity/);
    expect(() => parseIdentities("hunter2-secret", "f")).not.toThrow(/hunter2/);
  });
  it("fingerprints are stable and short", () => {
    expect(recipientFingerprint("age1abc")).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(recipientFingerprint("age1abc")).toBe(recipientFingerprint("age1abc"));
  });
});
