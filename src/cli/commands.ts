import type { Command } from "commander";

/**
 * The commands and the module that registers each. main.ts imports only the module of the
 * command being run, so `vya-backupdb backup` never loads the S3 SDK or the zip reader, and
 * `--version` loads almost nothing (start-up time matters for a tool run by cron every few minutes).
 */
type Register = (program: Command) => void;

export const COMMAND_MODULES: Record<string, () => Promise<Register>> = {
  backup: async () => (await import("./backup.js")).registerBackup,
  check: async () => (await import("./check.js")).registerCheck,
  cleanup: async () => (await import("./cleanup.js")).registerCleanup,
  config: async () => (await import("./config.js")).registerConfig,
  import: async () => (await import("./import.js")).registerImport,
  key: async () => (await import("./key.js")).registerKey,
  list: async () => (await import("./list.js")).registerList,
  notify: async () => (await import("./notify.js")).registerNotify,
  restore: async () => (await import("./restore.js")).registerRestore,
  schedule: async () => (await import("./schedule.js")).registerSchedule,
  status: async () => (await import("./status.js")).registerStatus,
  verify: async () => (await import("./verify.js")).registerVerify,
  "wal-push": async () => (await import("./wal.js")).registerWal,
  "wal-fetch": async () => (await import("./wal.js")).registerWal,
};

/** Aliases map to the command that owns them. */
const ALIASES: Record<string, string> = { "restore-list": "list" };

/** Global options that take a value: their value is not the command name. */
const GLOBAL_WITH_VALUE = new Set(["-c", "--config", "--log-level", "--log-file"]);

/** The command named on the command line, or undefined (none, or not one we know). */
export function commandNameOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (GLOBAL_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith("-")) continue;
    const name = ALIASES[arg] ?? arg;
    return name in COMMAND_MODULES ? name : undefined;
  }
  return undefined;
}

/** Registers the named commands on the program, each module once (wal.ts registers wal-push and wal-fetch). */
export async function registerCommands(program: Command, names: readonly string[]): Promise<void> {
  const registered = new Set<Register>();
  for (const name of names) {
    const register = await COMMAND_MODULES[name]!();
    if (!registered.has(register)) register(program);
    registered.add(register);
  }
}

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
