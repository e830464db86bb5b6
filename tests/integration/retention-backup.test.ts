import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { dailyBackups, keysOf, writeFakeBackups, type FakeGroup } from "../helpers/fake-backups.js";
import { filesBelow } from "../helpers/remotes.js";
import { makeTempDir } from "../helpers/tmp.js";

/** backup applies the retention policy afterwards (options.cleanup_after_backup), --no-cleanup skips it. */
const etc: FakeGroup = { instance: { id: 3, name: "etc", type: "files" }, kind: "files", database: null };
const www: FakeGroup = { instance: { id: 4, name: "www", type: "files" }, kind: "files", database: null };

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("vya-retention-backup-"));
});
afterAll(async () => {
  await cleanup();
});

describe("backup, then cleanup", () => {
  it("--no-cleanup deletes nothing; a backup cleans the groups it backed up (report and --json carry the summary), never the others", async () => {
    const store = join(dir, "store");
    await mkdir(join(dir, "src"));
    await writeFile(join(dir, "src", "hosts"), "127.0.0.1 localhost\n");
    const old = dailyBackups(etc, 4);
    const other = dailyBackups(www, 4);
    await writeFakeBackups(store, [...old, ...other]);
    const config = join(dir, "config.yaml");
    await writeFile(
      config,
      stringify({
        server: { name: "db01" },
        storage: { local: { path: store } },
        retention: { keep_last: 2 },
        instances: [
          { id: 3, name: "etc", type: "files", paths: [`${dir}/src/*`] },
          { id: 4, name: "www", type: "files", paths: [`${dir}/src/*`] },
        ],
      }),
    );
    const etcArchives = async () => (await filesBelow(join(store, "db01/etc"))).filter((f) => f.endsWith(".tar.gz") || f.endsWith(".zip"));

    const skipped = await runCli(["-c", config, "--json", "backup", "-i", "3", "--no-cleanup"]);
    expect(skipped.exitCode, String(skipped.stderr)).toBe(0);
    expect(JSON.parse(String(skipped.stdout)).cleanup).toBeUndefined();
    expect(await etcArchives()).toHaveLength(5);

    const cleaned = await runCli(["-c", config, "--json", "backup", "-i", "3"]);
    expect(cleaned.exitCode, String(cleaned.stderr)).toBe(0);
    const report = JSON.parse(String(cleaned.stdout)) as { ok: boolean; units: { archive: string }[]; cleanup: { ok: boolean; storages: unknown[] } };
    expect(report.cleanup).toEqual({ dry_run: false, ok: true, storages: [{ storage: "local", kept: 2, deleted: 4, bytes_freed: expect.any(Number), resumed: 0, errors: [] }] });
    const remaining = await etcArchives();
    expect(remaining).toHaveLength(2);
    expect(remaining.some((f) => report.units[0]?.archive.endsWith(f.split("/").pop() as string))).toBe(true);
    // The instance not backed up in this run keeps all its backups.
    expect((await filesBelow(store)).filter((f) => f.startsWith("db01/www/"))).toEqual(keysOf(other));

    const human = await runCli(["-c", config, "backup", "-i", "3"]);
    expect(human.exitCode, String(human.stderr)).toBe(0);
    expect(String(human.stdout)).toMatch(/cleanup local: kept 2, deleted 1 \(\d+(\.\d)? (B|KiB) freed\)/);
  });
});
