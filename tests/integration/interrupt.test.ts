import { execa } from "execa";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BIN } from "../helpers/cli.js";
import { makeTempDir } from "../helpers/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterAll(() => cleanup());

describe("interrupted run", () => {
  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("%s stops the run, removes the partial archive and exits %d", async (signal, code) => {
    const data = join(dir, `data-${signal}`);
    await mkdir(data, { recursive: true });
    // Incompressible data keeps deflate busy long enough to interrupt it midway.
    await execa("dd", ["if=/dev/urandom", `of=${join(data, "big.bin")}`, "bs=1M", "count=300", "status=none"]);
    const backups = join(dir, `backups-${signal}`);
    const config = join(dir, `${signal}.yaml`);
    await writeFile(config, stringify({ server: { name: "s" }, storage: { local: { path: backups } }, instances: [{ id: 1, type: "files", paths: [`${data}/*`], compression_level: 9 }] }));
    const child = execa(BIN, ["-c", config, "backup"], { reject: false, env: { PATH: process.env.PATH }, extendEnv: false });
    await new Promise<void>((resolve) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("backup started")) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    child.kill(signal);
    const result = await child;
    expect(result.exitCode).toBe(code);
    const left = await readdir(join(backups, "s", "files-1"));
    expect(left).toEqual([]);
  });
});
