import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { cleanupAfterBackup } from "../../src/retention/after-backup.js";
import type { UnitOutcome } from "../../src/run/report.js";
import { LocalStorage } from "../../src/storage/local.js";
import { createLogger } from "../../src/util/logger.js";
import { Redactor } from "../../src/util/redact.js";
import { dailyBackups, keysOf, writeFakeBackups, type FakeGroup } from "../helpers/fake-backups.js";
import { filesBelow } from "../helpers/remotes.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * The cleanup a backup runs afterwards, on real directories (two local directories stand in
 * for remotes: the rule is about which storages are cleaned, not how).
 */
const etc: FakeGroup = { instance: { id: 3, name: "etc", type: "files" }, kind: "files", database: null };
const www: FakeGroup = { instance: { id: 4, name: "www", type: "files" }, kind: "files", database: null };

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

function outcome(group: FakeGroup, status: "success" | "failed", remotes: Record<string, "success" | "failed">): UnitOutcome {
  return {
    instance: { id: group.instance.id, name: group.instance.name, type: group.instance.type },
    kind: group.kind as "files",
    database: group.database,
    status,
    duration_ms: 1,
    warnings: [],
    remotes: Object.entries(remotes).map(([remote, s]) => ({ remote, kind: "sftp", status: s, location: remote, duration_ms: 1 })),
  };
}

describe("cleanup after a backup", () => {
  it("cleans only groups whose backup succeeded, and never a remote an upload of this run failed on", async () => {
    const { dir, cleanup } = await makeTempDir("vya-after-backup-");
    cleanups.push(cleanup);
    const etcBackups = dailyBackups(etc, 5);
    const wwwBackups = dailyBackups(www, 5);
    for (const where of ["local", "nas", "offsite"]) await writeFakeBackups(`${dir}/${where}`, [...etcBackups, ...wwwBackups]);
    const config = configSchema.parse({
      server: { name: "db01" },
      storage: { local: { path: `${dir}/local` }, remotes: [{ name: "nas", type: "sftp", host: "h", username: "u", path: "/x" }, { name: "offsite", type: "sftp", host: "h", username: "u", path: "/y" }] },
      retention: { keep_last: 2 },
      instances: [
        { id: 3, name: "etc", type: "files", paths: ["/etc/*"] },
        { id: 4, name: "www", type: "files", paths: ["/srv/*"] },
      ],
    });
    const redactor = new Redactor();
    const ctx = { config, logger: createLogger({ level: "silent", redactor }), redactor, signal: new AbortController().signal };
    // etc succeeded everywhere; www failed on offsite (so its unit failed, and offsite missed a copy).
    const outcomes = [outcome(etc, "success", { nas: "success", offsite: "success" }), outcome(www, "failed", { nas: "success", offsite: "failed" })];
    const remotes = [new LocalStorage(`${dir}/nas`, "nas"), new LocalStorage(`${dir}/offsite`, "offsite")];

    const summary = await cleanupAfterBackup(outcomes, remotes, ctx);
    expect(summary?.ok).toBe(true);
    expect(summary?.storages).toEqual([
      { storage: "local", kept: 2, deleted: 3, bytes_freed: expect.any(Number), resumed: 0, errors: [] },
      { storage: "nas", kept: 2, deleted: 3, bytes_freed: expect.any(Number), resumed: 0, errors: [] },
      { storage: "offsite", kept: 0, deleted: 0, bytes_freed: 0, resumed: 0, errors: [], skipped: "an upload to it failed in this run" },
    ]);
    const expected = [...keysOf(etcBackups.slice(-2)), ...keysOf(wwwBackups)].sort();
    expect(await filesBelow(`${dir}/local`)).toEqual(expected);
    expect(await filesBelow(`${dir}/nas`)).toEqual(expected);
    expect(await filesBelow(`${dir}/offsite`)).toEqual(keysOf([...etcBackups, ...wwwBackups]));

    // cleanup_after_backup: false, or no success at all: nothing runs.
    expect(await cleanupAfterBackup(outcomes, remotes, { ...ctx, config: { ...config, options: { ...config.options, cleanup_after_backup: false } } })).toBeUndefined();
    expect(await cleanupAfterBackup([outcomes[1] as UnitOutcome], remotes, ctx)).toBeUndefined();
  });
});
