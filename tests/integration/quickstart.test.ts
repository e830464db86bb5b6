import { cp, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTarGz } from "../helpers/archives.js";
import { runCli } from "../helpers/cli.js";
import { makeTempDir } from "../helpers/tmp.js";

const example = fileURLToPath(new URL("../../examples/quickstart", import.meta.url));
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  // The example's storage path is ../../backups: copy it two levels down so that lands in dir.
  await cp(example, join(dir, "examples", "quickstart"), { recursive: true });
});
afterAll(() => cleanup());

describe("the README's quick start", () => {
  it("backs up the built-in example into ./backups, both instances", async () => {
    const result = await runCli(["-c", join(dir, "examples/quickstart/vya-backupdb.yaml"), "--json", "backup"]);
    expect(result.exitCode, String(result.stdout)).toBe(0);
    const report = JSON.parse(String(result.stdout));
    expect(report.units.map((u: { status: string }) => u.status)).toEqual(["success", "success"]);
    const tarDir = join(dir, "backups", "quickstart", "example-files");
    const archive = (await readdir(tarDir)).find((f) => f.endsWith(".tar.gz"));
    const names = [...(await readTarGz(join(tarDir, archive!))).keys()].map((n) => n.split("examples/quickstart/")[1]);
    expect(names).toContain("data/etc/app/app.yaml");
    expect(names).toContain("data/var/www/.well-known/security.txt");
    expect(names.some((n) => n?.endsWith(".log"))).toBe(false);
  });
});
