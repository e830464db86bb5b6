import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BIN } from "../helpers/cli.js";
import { verifyUnits } from "../helpers/systemd-analyze.js";
import { makeTempDir } from "../helpers/tmp.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const SECRET = "Ansible-S3cret-71d0";

describe("deploy/ansible role, run locally into a scratch root with systemd off", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir("vya-ansible-")));
  afterAll(() => cleanup());

  it("installs the config from variables, the credentials and units that verify; the secret is never printed", async () => {
    const root = join(dir, "root");
    const playbook = join(dir, "play.yml");
    await writeFile(
      playbook,
      JSON.stringify([
        {
          hosts: "localhost",
          gather_facts: false,
          roles: [
            {
              role: "vya_backupdb",
              vars: {
                vya_backupdb_root: root,
                vya_backupdb_server: "web01",
                vya_backupdb_program: "none",
                vya_backupdb_bin: BIN,
                vya_backupdb_systemd: false,
                vya_backupdb_config: {
                  storage: { local: { path: "/var/backups/vya" } },
                  instances: [{ id: 1, type: "postgres", user: "backup", password: "${credential:pg_password}" }],
                  schedule: { on_calendar: "Mon..Fri 02:30", randomized_delay: "45m" },
                },
                vya_backupdb_credentials: { pg_password: SECRET },
              },
            },
          ],
        },
      ]),
    );
    const result = await execa("ansible-playbook", ["-c", "local", "-i", "localhost,", playbook], {
      reject: false,
      all: true,
      env: { ANSIBLE_ROLES_PATH: join(REPO, "deploy/ansible/roles"), ANSIBLE_NOCOLOR: "1", ANSIBLE_LOCAL_TEMP: join(dir, "ansible-tmp"), ANSIBLE_REMOTE_TEMP: join(dir, "ansible-tmp"), HOME: dir },
      timeout: 300_000,
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/failed=0/);
    expect(result.all).not.toContain(SECRET);

    const mode = async (path: string) => (await stat(join(root, path))).mode & 0o777;
    expect(await mode("etc/vya-backupdb/web01.yaml")).toBe(0o600);
    expect(await mode("etc/vya-backupdb/credentials/web01")).toBe(0o700);
    expect(await mode("etc/vya-backupdb/credentials/web01/pg_password")).toBe(0o600);
    expect(await readFile(join(root, "etc/vya-backupdb/credentials/web01/pg_password"), "utf8")).toBe(SECRET);
    const config = parse(await readFile(join(root, "etc/vya-backupdb/web01.yaml"), "utf8")) as Record<string, unknown>;
    expect(config).toMatchObject({ server: { name: "web01" }, instances: [{ password: "${credential:pg_password}" }] });

    const unitDir = join(root, "etc/systemd/system");
    const service = await readFile(join(unitDir, "vya-backupdb-web01.service"), "utf8");
    expect(service).toContain("LoadCredential=pg_password:/etc/vya-backupdb/credentials/web01/pg_password");
    expect(service).toContain(`ExecStart=${BIN} --config /etc/vya-backupdb/web01.yaml backup`);
    const timer = await readFile(join(unitDir, "vya-backupdb-web01.timer"), "utf8");
    expect(timer).toContain("RandomizedDelaySec=2700");
    expect(timer).toContain("FixedRandomDelay=true");
    const verify = await verifyUnits(["vya-backupdb-web01.service", "vya-backupdb-web01.timer", "vya-backupdb-failure@.service"].map((n) => join(unitDir, n)));
    expect(verify.output).toBe("");
    expect(await mode("var/backups/vya")).toBe(0o700);
  });
});

describe("deploy/kubernetes/cronjob.yaml", () => {
  it("forbids overlapping runs, never retries, has a starting deadline and mounts secrets as files", async () => {
    const cronjob = parse(await readFile(join(REPO, "deploy/kubernetes/cronjob.yaml"), "utf8")) as any;
    expect(cronjob).toMatchObject({ apiVersion: "batch/v1", kind: "CronJob" });
    expect(cronjob.spec.concurrencyPolicy).toBe("Forbid");
    expect(cronjob.spec.jobTemplate.spec.backoffLimit).toBe(0);
    expect(cronjob.spec.startingDeadlineSeconds).toBeGreaterThan(0);
    const pod = cronjob.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe("Never");
    const container = pod.containers[0];
    const secretVolume = pod.volumes.find((v: any) => v.secret);
    expect(secretVolume.secret.secretName).toBe("vya-backupdb-credentials");
    const mount = container.volumeMounts.find((m: any) => m.name === secretVolume.name);
    expect(mount.readOnly).toBe(true);
    // Secrets reach the tool as files (${credential:NAME}), never as environment values.
    expect(container.env).toEqual([{ name: "CREDENTIALS_DIRECTORY", value: mount.mountPath }]);
    expect(container.args).toEqual(["--config", "/etc/vya-backupdb/config.yaml", "backup"]);
    // The five cron fields are what "schedule print --cron" prints for the documented example.
    expect(cronjob.spec.schedule.split(" ")).toHaveLength(5);
  });
});
