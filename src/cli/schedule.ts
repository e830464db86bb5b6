import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { findConfigFile, parseConfig, readRawConfig } from "../config/load.js";
import { withoutSecrets } from "../config/offline.js";
import { renderCron } from "../schedule/cron.js";
import { installSchedule } from "../schedule/install.js";
import { schedulePlan, type SchedulePlan } from "../schedule/plan.js";
import { renderUnits } from "../schedule/units.js";
import { globalsOf } from "./globals.js";

interface PlanFlags {
  exec?: string;
  installedConfig?: string;
  credentialsDir?: string;
}

/** The config validated without its secrets (they may not exist where units are generated). */
async function planFor(command: Command, flags: PlanFlags): Promise<{ plan: SchedulePlan; warnings: string[] }> {
  const file = await findConfigFile(globalsOf(command).config);
  const { value, credentials } = withoutSecrets(await readRawConfig(file));
  const loaded = parseConfig(value, { file, env: {}, offline: true });
  const plan = schedulePlan(loaded.config, credentials, {
    configPath: resolve(flags.installedConfig ?? file),
    // The program as this run was started (bin/vya-backupdb, or the installed link to it).
    execPath: resolve(flags.exec ?? process.argv[1] ?? "/usr/bin/vya-backupdb"),
    credentialsDir: flags.credentialsDir,
  });
  return { plan, warnings: loaded.warnings };
}

const planOptions = (command: Command) =>
  command
    .option("--exec <path>", "the program the unit runs (default: this one)")
    .option("--installed-config <path>", "the config path the unit passes (default: this config file's path)")
    .option("--credentials-dir <dir>", "where LoadCredential= reads ${credential:NAME} files (default: /etc/vya-backupdb/credentials/<server>)");

export function registerSchedule(program: Command): void {
  const schedule = program.command("schedule").description("systemd timer + service (or a cron line) that run this config's backups");

  planOptions(schedule.command("print").description("print the systemd service and timer for this config (--cron: a cron.d file)"))
    .option("--cron", "print a cron.d file instead of systemd units")
    .option("--output-dir <dir>", "write each unit (or the cron.d file) into this directory instead of printing")
    .action(async (flags: PlanFlags & { cron?: boolean; outputDir?: string }, command: Command) => {
      const { plan, warnings } = await planFor(command, flags);
      for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
      const units = renderUnits(plan);
      const all = flags.cron ? [{ name: plan.unitName, text: renderCron(plan) }] : [units.service, units.timer, ...(units.failure ? [units.failure] : [])];
      if (flags.outputDir) {
        await mkdir(flags.outputDir, { recursive: true });
        for (const unit of all) {
          await writeFile(join(flags.outputDir, unit.name), unit.text, { mode: 0o644 });
          process.stdout.write(`wrote ${join(flags.outputDir, unit.name)}\n`);
        }
        return;
      }
      if (flags.cron) {
        process.stdout.write(renderCron(plan));
        return;
      }
      if (globalsOf(command).json) {
        process.stdout.write(`${JSON.stringify(Object.fromEntries(all.map((u) => [u.name, u.text])))}\n`);
        return;
      }
      process.stdout.write(all.map((u) => `# ---- ${u.name}\n${u.text}`).join("\n"));
    });

  planOptions(schedule.command("install").description("write the units (or the cron.d file), create the paths they need, and enable the timer where systemd runs"))
    .option("--root <dir>", "install under this directory instead of / (image builds, tests); systemctl is then not run", "/")
    .option("--cron", "install /etc/cron.d/vya-backupdb-<server> instead of systemd units")
    .option("--no-systemctl", "write the files but do not run systemctl")
    .action(async (flags: PlanFlags & { root: string; cron?: boolean; systemctl: boolean }, command: Command) => {
      const { plan, warnings } = await planFor(command, flags);
      for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
      const done = await installSchedule(plan, { root: flags.root, cron: flags.cron === true, systemctl: flags.systemctl });
      process.stdout.write(globalsOf(command).json ? `${JSON.stringify({ done })}\n` : done.map((line) => `${line}\n`).join(""));
    });
}
