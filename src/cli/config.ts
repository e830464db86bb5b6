import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { stringify } from "yaml";
import { findConfigFile, loadConfig, readRawConfig } from "../config/load.js";
import { convertLegacy, isLegacyConfig } from "../config/legacy.js";
import { maskSecrets } from "../config/mask.js";
import { secretsAsReferences } from "../config/secret-references.js";
import { instanceName } from "../config/schema.js";
import { ConfigError, UsageError } from "../util/errors.js";
import { Redactor } from "../util/redact.js";
import { globalsOf } from "./globals.js";
import { makeLogger } from "./session.js";

const SCHEMA_COMMENT = "# yaml-language-server: $schema=https://raw.githubusercontent.com/vya/vya-backupdb/main/config/vya-backupdb.schema.json\n";

export function registerConfig(program: Command): void {
  const config = program.command("config").description("check, show or convert the config file");

  config
    .command("validate")
    .description("validate the config (every problem at once, exit 2 if any)")
    .action(async (_opts: unknown, command: Command) => {
      const globals = globalsOf(command);
      const redactor = new Redactor();
      const loaded = await loadConfig({ file: globals.config, redactor });
      const logger = makeLogger(globals, redactor);
      for (const warning of loaded.warnings) logger.warn(warning);
      const names = loaded.config.instances.map((i) => `${i.id}:${instanceName(i)}${i.enabled ? "" : " (disabled)"}`);
      process.stdout.write(
        globals.json
          ? `${JSON.stringify({ valid: true, file: loaded.file, legacy: loaded.legacy, instances: names })}\n`
          : `${loaded.file}: valid${loaded.legacy ? " (old format, converted)" : ""}; instances: ${names.join(", ") || "none"}\n`,
      );
    });

  config
    .command("print")
    .description("print the effective config with defaults filled in and secrets masked as ***")
    .action(async (_opts: unknown, command: Command) => {
      const globals = globalsOf(command);
      const loaded = await loadConfig({ file: globals.config });
      const masked = maskSecrets(loaded.config);
      process.stdout.write(globals.json ? `${JSON.stringify(masked, null, 2)}\n` : stringify(masked));
    });

  config
    .command("migrate")
    .description("convert an old Vya BackupDB JSON config into the current YAML format")
    .option("-o, --output <file>", "write the converted config here, secrets included (mode 0600, never overwritten); stdout gets ${env:…} references instead")
    .action(async (opts: { output?: string }, command: Command) => {
      const globals = globalsOf(command);
      const file = await findConfigFile(globals.config);
      const raw = await readRawConfig(file);
      if (!isLegacyConfig(raw)) throw new UsageError(`${file} is already in the current format: nothing to migrate`);
      const { config: converted, unmapped, problems } = convertLegacy(raw as Record<string, unknown>);
      if (problems.length > 0) throw new ConfigError(problems, file);
      const header = `${SCHEMA_COMMENT}# Converted from ${file} by vya-backupdb config migrate.\n`;
      const notes = unmapped.map((u) => `# Not carried over: ${u}\n`).join("");
      if (opts.output) {
        await writeFile(opts.output, header + notes + stringify(converted), { mode: 0o600, flag: "wx" }).catch((err: NodeJS.ErrnoException) => {
          if (err.code === "EEXIST") throw new UsageError(`${opts.output} exists already: choose another --output (nothing was overwritten)`);
          throw new UsageError(`cannot write ${opts.output}: ${err.message}`, { cause: err });
        });
        process.stderr.write(`wrote ${opts.output}; check it with: vya-backupdb -c ${opts.output} config validate\n`);
        return;
      }
      const { config: referenced, references } = secretsAsReferences(converted);
      const how = references.map((r) => `#   ${r.variable}: the value for ${r.path} (from ${file})\n`).join("");
      const intro = references.length > 0 ? `# Secrets are written as \${env:…} references, never as values. Before running, set:\n${how}# or run "config migrate --output FILE" to write the values into a 0600 file.\n` : "";
      process.stdout.write(header + intro + notes + stringify(referenced));
      if (references.length > 0) {
        process.stderr.write(`secrets are written as references: set ${references.map((r) => r.variable).join(", ")} (see the comments at the top), or use --output FILE to write the values\n`);
      }
    });
}
