import { readFile, stat, writeFile, readdir, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runCli } from "../helpers/cli.js";
import { makeTempDir } from "../helpers/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterAll(() => cleanup());

const SECRET = "Sup3r$ecret-pw!";

describe("config errors", () => {
  it("exits 2 naming a wrong type and an unknown instance type, attempting nothing", async () => {
    const backups = join(dir, "never");
    const file = join(dir, "bad.yaml");
    await writeFile(
      file,
      stringify({
        server: { name: "db01" },
        storage: { local: { path: backups } },
        instances: [
          { id: 1, type: "files", paths: ["/etc/hostname"], compression_level: "high" },
          { id: 2, type: "oracle", host: "x" },
        ],
      }),
    );
    const result = await runCli(["-c", file, "backup"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('instances[0].compression_level: expected a number, got "high"');
    expect(result.stderr).toContain('instances[1].type: expected one of "postgres" | "mysql" | "files", got "oracle"');
    expect(result.stdout).toBe("");
    await expect(stat(backups)).rejects.toThrow(/ENOENT/);
  });

  it("exits 2 on a YAML syntax error, naming the file", async () => {
    const file = join(dir, "syntax.yaml");
    await writeFile(file, "server: {name: db01\nstorage: [\n");
    const result = await runCli(["-c", file, "config", "validate"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain("not valid YAML");
  });

  it("exits 2 when no config can be found, saying where it looked", async () => {
    const empty = join(dir, "empty");
    await mkdir(empty);
    const result = await runCli(["backup"], { cwd: empty });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("no config file found");
  });

  it("exits 2 on an unknown option", async () => {
    const result = await runCli(["backup", "--nope"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown option '--nope'");
  });
});

describe("config commands", () => {
  it("finds vya-backupdb.config.yaml in the working directory", async () => {
    const cwd = join(dir, "search");
    await mkdir(cwd);
    await writeFile(join(cwd, "vya-backupdb.config.yaml"), stringify({ server: { name: "found" }, storage: { local: { path: "/x" } } }));
    const result = await runCli(["config", "validate"], { cwd });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain("vya-backupdb.config.yaml: valid");
  });

  it("print masks secrets and shows defaults", async () => {
    const file = join(dir, "secret.yaml");
    await writeFile(
      file,
      stringify({
        server: { name: "db01" },
        storage: { local: { path: "/x" } },
        instances: [{ id: 1, type: "postgres", user: "backup", password: "${env:PGPW}" }],
      }),
    );
    const result = await runCli(["-c", file, "config", "print"], { env: { PGPW: SECRET } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stderr).not.toContain(SECRET);
    const printed = parse(String(result.stdout));
    expect(printed.instances[0].password).toBe("***");
    expect(printed.instances[0].port).toBe(5432);
  });

  it("migrate converts the legacy JSON: ${env:…} references on stdout (never ***), complete in --output", async () => {
    const legacy = join(dir, "legacy.json");
    await writeFile(
      legacy,
      JSON.stringify({
        server_info: { server_name: "wfdb02", location: "Datacenter SP" },
        paths: { backup_path: join(dir, "legacy-backups"), log_path: join(dir, "logs") },
        backup_options: { retention_days: 30, compress: true },
        db_config: [{ id_dbms: 1, dbms: "mysql", host: "localhost", port: 3306, user: "backup_user", secret: SECRET, db_list: ["app"], db_ignore: ["sys"], enabled: true }],
      }),
    );
    const shown = await runCli(["-c", legacy, "config", "migrate"]);
    expect(shown.exitCode, String(shown.stderr)).toBe(0);
    expect(shown.stdout).not.toContain(SECRET);
    expect(shown.stderr).not.toContain(SECRET);
    expect(shown.stdout).not.toContain("***");
    // retention_days is converted, not merely named in a comment.
    expect(parse(String(shown.stdout)).retention).toEqual({ keep_within: "30d", min_keep: 1 });
    // What a user does with it: redirect to a file, provide the variable it names, run.
    expect(parse(String(shown.stdout)).instances[0].password).toBe("${env:VYA_BACKUPDB_INSTANCES_1_PASSWORD}");
    expect(shown.stderr).toContain("VYA_BACKUPDB_INSTANCES_1_PASSWORD");
    const redirected = join(dir, "redirected.yaml");
    await writeFile(redirected, String(shown.stdout));
    const printed = await runCli(["-c", redirected, "config", "validate"], { env: { VYA_BACKUPDB_INSTANCES_1_PASSWORD: SECRET } });
    expect(printed.exitCode, String(printed.stderr)).toBe(0);
    const unset = await runCli(["-c", redirected, "config", "validate"]);
    expect(unset.exitCode).toBe(2);
    expect(unset.stderr).toContain("VYA_BACKUPDB_INSTANCES_1_PASSWORD");
    const out = join(dir, "migrated.yaml");
    const written = await runCli(["-c", legacy, "config", "migrate", "--output", out]);
    expect(written.exitCode, String(written.stderr)).toBe(0);
    expect(written.stderr).not.toContain(SECRET);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const migrated = parse(await readFile(out, "utf8"));
    expect(migrated.instances[0]).toMatchObject({ id: 1, type: "mysql", password: SECRET, databases: ["app"], exclude_databases: ["sys"] });
    const validated = await runCli(["-c", out, "config", "validate"]);
    expect(validated.exitCode, String(validated.stderr)).toBe(0);
    // Never overwrites.
    expect((await runCli(["-c", legacy, "config", "migrate", "--output", out])).exitCode).toBe(2);
  });
});

describe("legacy config backs up its enabled files instances", () => {
  it("converts on load with a warning and backs up only enabled files instances", async () => {
    const data = join(dir, "legacy-data");
    await mkdir(join(data, "volumes", "v1"), { recursive: true });
    await mkdir(join(data, "config"), { recursive: true });
    await writeFile(join(data, "volumes", "v1", "db.sqlite"), "sqlite bytes");
    await writeFile(join(data, "config", "app.yaml"), "a: 1");
    await writeFile(join(data, "config", "app.json"), "{}");
    const backups = join(dir, "legacy-out");
    const legacy = join(dir, "legacy-files.json");
    await writeFile(
      legacy,
      JSON.stringify({
        server_info: { server_name: "wfdb02", location: "Datacenter SP" },
        paths: { backup_path: backups, log_path: join(dir, "legacy-logs") },
        backup_options: { retention_days: 30, compress: true },
        db_config: [
          { id_dbms: 3, dbms: "files", host: "localhost", port: 0, db_list: [`${data}/volumes/**/*`, `${data}/config/*.{yaml,json}`], enabled: true },
          { id_dbms: 4, dbms: "files", host: "localhost", port: 0, db_list: [`${data}/**`], enabled: false },
        ],
      }),
    );
    const result = await runCli(["-c", legacy, "--json", "backup"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stderr).toContain("old Vya BackupDB format");
    const report = JSON.parse(String(result.stdout));
    expect(report.units).toHaveLength(1);
    expect(report.units[0]).toMatchObject({ status: "success", instance: { id: 3, name: "files-3" } });
    expect(await readdir(join(backups, "wfdb02", "files-3"))).toHaveLength(2);
    // log_path became the log file.
    expect(await readFile(join(dir, "legacy-logs", "vya-backupdb.log"), "utf8")).toContain("backup completed");
  });
});
