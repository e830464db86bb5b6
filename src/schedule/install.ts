import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { atomicWriteFile } from "../util/fs.js";
import { runCommand } from "../util/process.js";
import { renderCron } from "./cron.js";
import type { SchedulePlan } from "./plan.js";
import { renderUnits } from "./units.js";

/**
 * `schedule install`: the units (or the cron.d file) written under `root`, the paths the
 * hardened service must find created, and systemd told — only where systemd runs this system
 * (root "/", /run/systemd/system present), so tests and image builds never touch the host.
 * Returns one line per thing done or skipped, for the operator.
 */
export interface InstallOptions {
  root: string;
  cron: boolean;
  /** false: never run systemctl (image builds, --no-systemctl). */
  systemctl: boolean;
}

export async function installSchedule(plan: SchedulePlan, options: InstallOptions): Promise<string[]> {
  const done: string[] = [];
  const under = (path: string) => join(resolve(options.root), path);
  const write = async (path: string, text: string) => {
    await mkdir(under(join(path, "..")), { recursive: true, mode: 0o755 });
    await atomicWriteFile(under(path), text, 0o644);
    done.push(`wrote ${under(path)}`);
  };

  // ReadWritePaths= that do not exist stop the service before it starts (status 226/NAMESPACE).
  for (const path of plan.writablePaths) {
    if (existsSync(under(path))) continue;
    // Parents as a system has them (0755); only the path the run writes to is private.
    await mkdir(dirname(under(path)), { recursive: true, mode: 0o755 });
    await mkdir(under(path), { mode: 0o700 });
    done.push(`created ${under(path)} (mode 0700)`);
  }
  for (const credential of plan.credentials) {
    if (!existsSync(under(credential.path))) done.push(`warning: credential file ${under(credential.path)} does not exist yet: put the secret "${credential.name}" there (mode 0600) before the first run`);
  }

  if (options.cron) {
    await write(join("/etc/cron.d", plan.unitName), renderCron(plan));
    return done;
  }
  const units = renderUnits(plan);
  for (const unit of [units.service, units.timer, ...(units.failure ? [units.failure] : [])]) await write(join("/etc/systemd/system", unit.name), unit.text);

  const timer = units.timer.name;
  const skip = systemctlSkipReason(options);
  if (skip) {
    done.push(`systemctl not run (${skip}); to activate: systemctl daemon-reload && systemctl enable --now ${timer}`);
    return done;
  }
  for (const args of [["daemon-reload"], ["enable", "--now", timer]]) {
    await runCommand({ file: "systemctl", args });
    done.push(`ran systemctl ${args.join(" ")}`);
  }
  return done;
}

function systemctlSkipReason(options: InstallOptions): string | undefined {
  if (!options.systemctl) return "--no-systemctl";
  if (resolve(options.root) !== "/") return `--root ${options.root} is not this system`;
  // sd_booted(3): systemd is the init system exactly when this directory exists.
  if (!existsSync("/run/systemd/system")) return "systemd is not running here";
  return undefined;
}
