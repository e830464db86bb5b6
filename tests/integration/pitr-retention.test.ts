import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { writeFile } from "node:fs/promises";
import { runCli } from "../helpers/cli.js";
import { dailyBackups, keysOf, writeFakeBackups, type FakeGroup } from "../helpers/fake-backups.js";
import { pitrLayout, writeObjects } from "../helpers/fake-wal.js";
import { filesBelow } from "../helpers/remotes.js";
import { makeTempDir } from "../helpers/tmp.js";

/**
 * Retention of a PITR instance: base backups are a group like any other, and the archived WAL
 * no kept base backup needs goes with them — never a segment from the oldest kept base's start
 * on, never a history file. Laid out without a server (fake-wal.ts): names are what is judged.
 */
const instance = { id: 1, name: "pg-pitr", type: "postgres" as const };
const app: FakeGroup = { instance, kind: "database", database: "app" };

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-pitr-retention-"));
});
afterAll(async () => cleanup());

describe("retention of a PITR instance", () => {
  it("keeps exactly the WAL the kept base backups need; the dry run lists every WAL deletion and deletes nothing", async () => {
    const store = join(dir, "store");
    const { bases, wal, keysFrom, deletedBefore } = pitrLayout(instance);
    // keep_last 2: the base backups from segment 0x30 on.
    const neededKeys = keysFrom(0x30);
    const deletedNames = deletedBefore(0x30);
    const dumps = dailyBackups(app, 5);
    await writeFakeBackups(store, [...bases, ...dumps]);
    await writeObjects(store, wal);
    const config = join(dir, "config.yaml");
    await writeFile(config, stringify({ server: { name: "db01" }, storage: { local: { path: store } }, retention: { keep_last: 2 }, instances: [{ ...instance, user: "u", databases: ["app"], pitr: { enabled: true } }] }));
    const before = await filesBelow(store);

    const dry = await runCli(["-c", config, "--json", "cleanup", "--dry-run"]);
    expect(dry.exitCode, String(dry.stderr)).toBe(0);
    expect(await filesBelow(store)).toEqual(before);
    const planned = JSON.parse(String(dry.stdout)) as { storages: { deleted: number; wal_deleted: number }[]; wal: { instance: { name: string }; kept: number; deleted: string[] }[] };
    expect(planned.wal).toEqual([expect.objectContaining({ storage: "local", instance: { id: 1, name: "pg-pitr" }, deleted: deletedNames, kept: neededKeys.length / 2 })]);
    expect(planned.storages[0]).toMatchObject({ deleted: 2 + 3, wal_deleted: deletedNames.length });
    const dryText = await runCli(["-c", config, "cleanup", "--dry-run"]);
    for (const name of deletedNames) expect(String(dryText.stdout)).toContain(`delete WAL ${name}`);
    expect(String(dryText.stdout)).not.toContain("delete WAL 000000010000000000000030");

    const run = await runCli(["-c", config, "cleanup"]);
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(String(run.stdout)).toMatch(new RegExp(`cleanup local: kept 4, deleted 5, deleted ${deletedNames.length} WAL files`));
    const kept = [...keysOf(bases.slice(2)), ...keysOf(dumps.slice(-2)), ...neededKeys].sort();
    expect(await filesBelow(store)).toEqual(kept);
    // No journal left behind, and a second run deletes nothing.
    expect(await readdir(join(store, "db01", ".cleanup")).catch(() => [])).toEqual([]);
    const again = await runCli(["-c", config, "--json", "cleanup"]);
    expect(JSON.parse(String(again.stdout)).storages[0]).toMatchObject({ deleted: 0, wal_deleted: 0 });
    expect(await filesBelow(store)).toEqual(kept);
  });
});
