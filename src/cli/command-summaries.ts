import { Command, Help } from "commander";
import { COMMAND_SUMMARIES_ASSET } from "../sea/chunk-format.js";
import { COMMAND_MODULES, registerCommands } from "./commands.js";

/**
 * The commands' lines in the top-level `--help`. Listing them needs every command module, and those
 * import their whole implementation (the S3 SDK, ssh2, the archive writers…): the single
 * executable stores the lines at build time instead (scripts/build-sea-bundle.ts), so its
 * `--help` starts as fast as `--version`. `node dist/cli.js` has no store and loads the modules.
 */
export interface CommandSummary {
  name: string;
  /** As commander prints it: `list|restore-list [options]`, `wal-push [options] <path> <name>`. */
  term: string;
  description: string;
}

/** Build time: every command registered as the CLI does, read back through commander's own Help. */
export async function commandSummaries(): Promise<CommandSummary[]> {
  const program = new Command("vya-backupdb");
  await registerCommands(program, Object.keys(COMMAND_MODULES));
  const help = new Help();
  return program.commands.map((command) => ({ name: command.name(), term: help.subcommandTerm(command), description: help.subcommandDescription(command) }));
}

/** The summaries stored in the single executable, or undefined when not running as one. */
export function storedSummaries(): CommandSummary[] | undefined {
  // Looked up only for a top-level --help; process.getBuiltinModule keeps the "node:" prefix, which
  // this module needs and bundlers strip from imports.
  const sea = process.getBuiltinModule("node:sea");
  return sea.isSea() ? (JSON.parse(sea.getAsset(COMMAND_SUMMARIES_ASSET, "utf8")) as CommandSummary[]) : undefined;
}

/** Adds one placeholder per command, enough for the help to list it exactly as the real one would. */
export function listCommands(program: Command, summaries: readonly CommandSummary[]): void {
  const terms = new Map(summaries.map((summary) => [summary.name, summary.term]));
  for (const summary of summaries) program.command(summary.name).description(summary.description);
  const standard = new Help(); // for commander's own "help [command]"
  program.configureHelp({ subcommandTerm: (command) => terms.get(command.name()) ?? standard.subcommandTerm(command) });
}
