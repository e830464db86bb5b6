import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { createParallelGzip } from "../../src/archive/parallel-gzip.js";

const dir = mkdtempSync(join(tmpdir(), "vya-pgz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function compress(input: Buffer, options: { level: number; blockSize: number; threads: number }, chunk = 50_000): Promise<Buffer> {
  const parts: Buffer[] = [];
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) pieces.push(input.subarray(i, i + chunk));
  await pipeline(Readable.from(pieces), createParallelGzip(options), async function* (source) {
    for await (const c of source) parts.push(c as Buffer);
  });
  return Buffer.concat(parts);
}

const text = Buffer.from(Array.from({ length: 60000 }, (_, i) => `row ${i}\t${(i * 7919) % 10007}\tsome repeated text here\n`).join(""));
const mixed = Buffer.concat([text, randomBytes(200_000), text.subarray(0, 123_457)]);

describe("parallel gzip (pigz's method)", () => {
  it.each([
    ["empty", Buffer.alloc(0)],
    ["smaller than a block", text.subarray(0, 1000)],
    ["exactly two blocks", text.subarray(0, 2 * 65536)],
    ["many blocks, text and random", mixed],
  ])("%s: one gzip stream that gzip -t accepts and gunzip gives back byte for byte", async (_what, input) => {
    const gz = await compress(input, { level: 6, blockSize: 65536, threads: 2 });
    const file = join(dir, "out.gz");
    writeFileSync(file, gz);
    execFileSync("gzip", ["-t", file]);
    expect(execFileSync("gzip", ["-dc", file], { maxBuffer: 1 << 26 }).equals(input)).toBe(true);
    expect(gunzipSync(gz).equals(input)).toBe(true);
  });

  it("the previous 32 KiB prime each block: the output is about as small as one zlib stream", async () => {
    const gz = await compress(text, { level: 6, blockSize: 65536, threads: 2 });
    const { gzipSync } = await import("node:zlib");
    expect(gz.length).toBeLessThan(gzipSync(text, { level: 6 }).length * 1.02);
  });

  it("a damaged block fails gzip's CRC or inflate check (the trailer covers every block)", async () => {
    const gz = await compress(mixed, { level: 6, blockSize: 65536, threads: 2 });
    const trailer = gz.length - 8;
    const bad = Buffer.from(gz);
    bad[trailer] = (bad[trailer] ?? 0) ^ 1;
    expect(() => gunzipSync(bad)).toThrow();
  });

  it("runs from one bundled CommonJS file (the single binary): the worker's code is inline, no file beside it", async () => {
    const entry = fileURLToPath(new URL("../../src/archive/parallel-gzip.ts", import.meta.url));
    const bundle = join(dir, "bundle.cjs");
    await build({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", outfile: bundle, logLevel: "silent" });
    const script = join(dir, "run.cjs");
    writeFileSync(
      script,
      `const { createParallelGzip } = require(${JSON.stringify(bundle)});
const { gunzipSync } = require("node:zlib");
const z = createParallelGzip({ level: 6, blockSize: 65536, threads: 2 });
const parts = [];
z.on("data", (c) => parts.push(c));
z.on("end", () => { const out = gunzipSync(Buffer.concat(parts)).toString(); process.stdout.write(out.length + " " + out.slice(0, 5)); });
z.end(Buffer.from("hello ".repeat(50000)));`,
    );
    expect(execFileSync(process.execPath, [script], { cwd: dir }).toString()).toBe("300000 hello");
  });

  it("memory stays flat: 96 MiB through two threads peaks below 140 MiB RSS (the workers' garbage once added ~60 MiB)", async () => {
    const entry = fileURLToPath(new URL("../../src/archive/parallel-gzip.ts", import.meta.url));
    const bundle = join(dir, "rss-bundle.cjs");
    await build({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", outfile: bundle, logLevel: "silent" });
    const script = join(dir, "rss.cjs");
    writeFileSync(
      script,
      `const { createParallelGzip } = require(${JSON.stringify(bundle)});
const { randomBytes } = require("node:crypto");
const text = Buffer.from(Array.from({ length: 20000 }, (_, i) => "row " + i + " " + ((i * 7919) % 10007) + " some text\\n").join(""));
const piece = Buffer.concat([text, randomBytes(256 * 1024)]);
const z = createParallelGzip({ level: 1, threads: 2 });
let peak = 0, fed = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const timer = setInterval(sample, 20);
z.on("data", () => undefined);
z.on("end", () => { clearInterval(timer); sample(); process.stdout.write(String(Math.round(peak / 1048576))); });
(function feed() {
  while (fed < 96 * 1048576) { fed += piece.length; if (!z.write(piece)) return z.once("drain", feed); }
  z.end();
})();`,
    );
    const peakMib = Number(execFileSync(process.execPath, [script], { cwd: dir }).toString());
    expect(peakMib).toBeGreaterThan(40);
    expect(peakMib).toBeLessThan(140);
  }, 30_000);
});
