import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastRunPath, readLastRun, writeLastRun, type LastRun } from "../../src/state/last-run.js";
import { makeTempDir } from "../helpers/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir("vya-state-")));
afterAll(() => cleanup());

const state: LastRun = {
  format_version: 1,
  server: "db01",
  run_id: "r1",
  command: "backup",
  started_at: "2026-01-01T00:00:00.000Z",
  completed_at: "2026-01-01T00:01:00.000Z",
  outcome: "failure",
  exit_code: 1,
  units: { total: 2, failed: 1 },
  notification_failures: 0,
  instances: { "pg-main": { outcome: "failure", run_id: "r1", completed_at: "2026-01-01T00:01:00.000Z", last_success_at: null } },
};

describe("last-run state file", () => {
  it("round trip, written atomically (no temporary file left), one file per server", async () => {
    const stateDir = join(dir, "ok");
    await mkdir(stateDir);
    expect(await writeLastRun(stateDir, state)).toEqual({ ok: true });
    expect(await readdir(stateDir)).toEqual(["last-run.db01.json"]);
    expect(await readLastRun(stateDir, "db01")).toEqual({ ok: true, state });
    expect((await readLastRun(stateDir, "db02")).ok).toBe(false);
  });

  it("a missing state dir is not created and is reported as missing; a file in its place is a problem", async () => {
    const missing = join(dir, "missing");
    expect(await writeLastRun(missing, state)).toMatchObject({ ok: false, missing: true });
    await expect(readdir(missing)).rejects.toThrow(/ENOENT/);
    const file = join(dir, "a-file");
    await writeFile(file, "x");
    expect(await writeLastRun(file, state)).toMatchObject({ ok: false, missing: false });
    expect(await readLastRun(missing, "db01")).toMatchObject({ ok: false, reason: "missing" });
  });

  it("a damaged file reads as invalid, never throws", async () => {
    const stateDir = join(dir, "bad");
    await mkdir(stateDir);
    await writeFile(lastRunPath(stateDir, "db01"), "{not json");
    expect(await readLastRun(stateDir, "db01")).toMatchObject({ ok: false, reason: "invalid" });
    await writeFile(lastRunPath(stateDir, "db01"), JSON.stringify({ format_version: 99 }));
    expect(await readLastRun(stateDir, "db01")).toMatchObject({ ok: false, reason: "invalid" });
    expect(await readFile(lastRunPath(stateDir, "db01"), "utf8")).toContain("99");
  });
});
