import type { Command } from "commander";

/** Options every command inherits from the program. */
export interface GlobalOptions {
  config?: string;
  logLevel: string;
  logFile?: string;
  json?: boolean;
}

export function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}
