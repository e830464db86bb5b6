import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { cosmiconfig } from "cosmiconfig";
import { parse as parseYaml } from "yaml";
import { ConfigError, describeError } from "../util/errors.js";
import { Redactor } from "../util/redact.js";
import { formatIssues } from "./issues.js";
import { convertLegacy, isLegacyConfig } from "./legacy.js";
import { configSchema, type Config } from "./schema.js";
import { readSecretFile, resolveSecretRefs } from "./secrets.js";
import { formatPath } from "./path.js";
import { findCycle } from "./cycles.js";
import { checkUniqueness } from "./uniqueness.js";
import { checkRemotes } from "./remote-rules.js";
import { resolveRelativePaths } from "./relative-paths.js";

export const SYSTEM_CONFIG = "/etc/vya-backupdb/config.yaml";

export interface LoadedConfig {
  config: Config;
  file: string;
  legacy: boolean;
  /** Warnings to log once the logger exists (legacy conversion, unmapped keys). */
  warnings: string[];
  redactor: Redactor;
}

export interface LoadOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  redactor?: Redactor;
}

/** --config FILE, else cosmiconfig's search from the working directory, else /etc/vya-backupdb/config.yaml. */
export async function findConfigFile(explicit: string | undefined, cwd = process.cwd()): Promise<string> {
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConfigError([`config file ${path} does not exist (check --config)`]);
    return path;
  }
  const explorer = cosmiconfig("vya-backupdb", {
    searchStrategy: "none",
    searchPlaces: [
      "vya-backupdb.config.yaml",
      "vya-backupdb.config.yml",
      "vya-backupdb.config.json",
      ".vya-backupdbrc",
      ".vya-backupdbrc.yaml",
      ".vya-backupdbrc.yml",
      ".vya-backupdbrc.json",
      ".config/vya-backupdb.yaml",
      ".config/vya-backupdb.yml",
      ".config/vya-backupdb.json",
    ],
    // Only the location is wanted here; parsing is ours, so every format reports errors alike.
    loaders: { ".yaml": () => ({}), ".yml": () => ({}), ".json": () => ({}), noExt: () => ({}) },
  });
  const found = await explorer.search(cwd);
  if (found?.filepath) return found.filepath;
  if (existsSync(SYSTEM_CONFIG)) return SYSTEM_CONFIG;
  throw new ConfigError([
    `no config file found: pass --config FILE, or create vya-backupdb.config.yaml here or ${SYSTEM_CONFIG} (see docs/configuration.md)`,
  ]);
}

/** Reads and parses YAML or JSON; syntax errors name the file and line. */
export async function readRawConfig(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ConfigError([`cannot read ${file}: ${describeError(err)}`], undefined, { cause: err });
  }
  let raw: unknown;
  try {
    raw = extname(file) === ".json" ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new ConfigError([`not valid ${extname(file) === ".json" ? "JSON" : "YAML"}: ${(err as Error).message.split("\n")[0]}`], file, { cause: err });
  }
  const cycle = findCycle(raw);
  if (cycle) throw new ConfigError([`${formatPath(cycle)}: a YAML alias refers to itself (an anchor used inside its own value); write the value out instead`], file);
  return raw;
}

/** Legacy conversion, secret references, validation: every problem reported at once. */
export function parseConfig(raw: unknown, options: { file: string; env?: NodeJS.ProcessEnv; redactor?: Redactor; offline?: boolean }): LoadedConfig {
  const redactor = options.redactor ?? new Redactor();
  const warnings: string[] = [];
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(["the file must hold a mapping (server:, storage:, instances:)"], options.file);
  }
  let input = raw as Record<string, unknown>;
  const legacy = isLegacyConfig(input);
  if (legacy) {
    const converted = convertLegacy(input);
    if (converted.problems.length > 0) throw new ConfigError(converted.problems, options.file);
    input = converted.config;
    const unmapped = converted.unmapped.length > 0 ? ` Not carried over: ${converted.unmapped.join("; ")}.` : "";
    warnings.push(`${options.file} is in the old Vya BackupDB format; converted on load (run "vya-backupdb config migrate --output FILE" to write the new format).${unmapped}`);
  }
  const resolved = resolveSecretRefs(input, { env: options.env ?? process.env, redactor });
  const result = configSchema.safeParse(resolved.value, { reportInput: true });
  const problems = [...resolved.problems, ...checkUniqueness(resolved.value), ...checkRemotes(resolved.value)];
  if (!result.success) problems.push(...formatIssues(result.error.issues));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems, options.file);
  const config = result.data;
  resolveRelativePaths(config, dirname(options.file));
  // Offline (config/offline.ts): secrets are read when the run starts, not where units are generated.
  if (!options.offline) readPasswordFiles(config, redactor, options.file);
  return { config, file: options.file, legacy, warnings, redactor };
}

function readPasswordFiles(config: Config, redactor: Redactor, file: string): void {
  const problems: string[] = [];
  config.instances.forEach((instance, index) => {
    if (instance.type === "files" || instance.password_file === undefined) return;
    const read = readSecretFile(instance.password_file);
    if (read.error) problems.push(`${formatPath(["instances", index, "password_file"])}: ${read.error}`);
    else {
      instance.password = read.value;
      redactor.add(read.value);
    }
  });
  if (problems.length > 0) throw new ConfigError(problems, file);
}

export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const file = await findConfigFile(options.file, options.cwd);
  const raw = await readRawConfig(file);
  return parseConfig(raw, { file, ...(options.env ? { env: options.env } : {}), ...(options.redactor ? { redactor: options.redactor } : {}) });
}
