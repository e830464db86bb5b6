import { describe, expect, it } from "vitest";
import { acquireLock } from "../../src/lock/lock.js";
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
