import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesSource } from "../../src/sources/files.js";
import { parseConfig } from "../../src/config/load.js";
import { runUnit } from "../../src/run/unit.js";
import { createLogger } from "../../src/util/logger.js";
import { Redactor } from "../../src/util/redact.js";
import { makeTempDir } from "../helpers/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterAll(() => cleanup());

/** Plans a files instance, deletes one matched file, then runs the unit: the vanish happens mid-run. */
async function vanishRun(archive: "tar.gz" | "zip", ignoreMissing: boolean) {
  const data = join(dir, `data-${archive}-${ignoreMissing}`);
  await mkdir(data, { recursive: true });
  await writeFile(join(data, "stays.txt"), "stays");
  await writeFile(join(data, "goes.txt"), "goes");
  const backups = join(dir, `out-${archive}-${ignoreMissing}`);
  const redactor = new Redactor();
  const { config } = parseConfig(
    { server: { name: "s" }, storage: { local: { path: backups } }, instances: [{ id: 1, type: "files", archive, paths: [`${data}/*`], ignore_missing: ignoreMissing }] },
    { file: "t", env: {}, redactor },
  );
  const logger = createLogger({ level: "silent", redactor });
  const ctx = { config, logger, redactor, signal: new AbortController().signal };
  const [unit] = await filesSource.plan(config.instances[0]!, ctx);
  await rm(join(data, "goes.txt"));
  const outcome = await runUnit(unit!, { id: "abc123" }, ctx);
  return { outcome, outDir: join(backups, "s", "files-1"), missing: join(data, "goes.txt") };
}

describe.each(["tar.gz", "zip"] as const)("a file vanishing mid-run (%s)", (archive) => {
  it("fails the instance naming the path, leaving nothing behind", async () => {
    const { outcome, outDir, missing } = await vanishRun(archive, false);
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toContain(missing);
    expect(outcome.error).toContain("ignore_missing");
    expect(await readdir(outDir)).toEqual([]);
  });

  it("with ignore_missing: true, succeeds and records the warning in the sidecar", async () => {
    const { outcome, missing } = await vanishRun(archive, true);
    expect(outcome.status).toBe("success");
    expect(outcome.warnings.join("\n")).toContain(missing);
    const sidecar = JSON.parse(await readFile(outcome.sidecar!, "utf8"));
    expect(sidecar.warnings.join("\n")).toContain(missing);
    expect(sidecar.contents.map((c: { name: string }) => c.name).some((n: string) => n.endsWith("stays.txt"))).toBe(true);
  });
});
