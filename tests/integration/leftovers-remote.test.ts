import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCli, startCli } from "../helpers/cli.js";
import { parseReport } from "../helpers/db-run.js";
import { filesBelow, sftpRemote } from "../helpers/remotes.js";
import { startRemoteServers, type RemoteServers } from "../helpers/remote-servers.js";

/** A partial upload of a killed run: visible to `list --all`, removed by the next backup. */
let servers: RemoteServers | undefined;
let dir: string;

beforeAll(async () => {
  servers = await startRemoteServers("vya-leftovers-remote-");
  dir = servers.dir;
  // Incompressible and stored: the upload lasts long enough to be caught midway.
  await mkdir(join(dir, "big"));
  await writeFile(join(dir, "big", "blob.bin"), randomBytes(40 * 1024 * 1024));
  await writeFile(join(dir, "src", "small.txt"), "small\n");
});
afterAll(async () => {
  await servers?.stop();
});

async function writeConfig(name: string, remoteRoot: string, paths: string[]): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  const remote = sftpRemote((servers as RemoteServers).ssh, remoteRoot);
  await writeFile(
    file,
    stringify({
      server: { name: "db01" },
      storage: { local: { path: join(dir, "local") }, remotes: [remote] },
      instances: [{ id: 3, name, type: "files", paths, compression_level: 0 }],
    }),
  );
  return file;
}

describe("a partial upload left by SIGKILL", () => {
  it("SIGKILL mid-upload: list --all shows the SFTP partial, the next backup removes and reports it", async () => {
    const { ssh, env } = servers as RemoteServers;
    const remoteRoot = join(ssh.root, "leftovers");
    const big = await writeConfig("big", remoteRoot, [`${dir}/big/*`]);
    const run = startCli(["-c", big, "backup"], { env });
    let partial: string | undefined;
    while (run.exitCode === null && !partial) {
      partial = (await filesBelow(remoteRoot)).find((f) => f.endsWith(".partial"));
      if (!partial) await new Promise((r) => setTimeout(r, 10));
    }
    run.kill("SIGKILL");
    await run;
    expect(partial, "the upload finished before it could be killed").toBeDefined();
    expect(await filesBelow(remoteRoot)).toContain(partial);

    const listed = await runCli(["-c", big, "--json", "list", "--all", "--storage", "nas"], { env });
    expect(listed.exitCode, String(listed.stderr)).toBe(0);
    const entries = JSON.parse(String(listed.stdout)) as { name: string; status?: string; location: string }[];
    const archiveName = /^\.(.+\.tar\.gz)\./.exec((partial ?? "").split("/").pop() ?? "")?.[1];
    expect(entries).toContainEqual(expect.objectContaining({ name: archiveName, status: "incomplete" }));
    const table = await runCli(["-c", big, "list", "--all", "--storage", "nas"], { env });
    expect(String(table.stdout)).toMatch(new RegExp(`${archiveName?.replace(/\./g, "\\.")}.*INCOMPLETE`));

    // Another instance of the same server, same remote: its backup sweeps the server's prefix.
    const small = await writeConfig("small", remoteRoot, [`${dir}/src/*`]);
    const again = await runCli(["-c", small, "--json", "backup"], { env });
    expect(again.exitCode, String(again.stderr)).toBe(0);
    const swept = parseReport(again.stdout).swept ?? [];
    expect(swept).toContainEqual(expect.objectContaining({ storage: "nas", kind: "partial", path: expect.stringContaining(partial ?? "-"), reason: expect.stringMatching(/owner process \d+ is gone/) }));
    expect((await filesBelow(remoteRoot)).filter((f) => f.endsWith(".partial"))).toEqual([]);
  }, 180_000); // four CLI runs, one of them a 40 MB upload: slow on a loaded two-core machine
});
