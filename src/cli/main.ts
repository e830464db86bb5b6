import { Command, CommanderError, Option } from "commander";
import { EXIT, VyaError, describeError } from "../util/errors.js";
import { VERSION } from "../version.js";
import { COMMAND_MODULES, LOG_LEVELS, commandNameOf, registerCommands } from "./commands.js";
import { listCommands, storedSummaries } from "./command-summaries.js";

async function buildProgram(args: readonly string[]): Promise<Command> {
  const program = new Command("vya-backupdb")
    .description("Back up PostgreSQL, MySQL/MariaDB and file trees into verified archives with JSON sidecars.")
    .version(VERSION, "-V, --version")
    .option("-c, --config <file>", "config file (default: search ./vya-backupdb.config.yaml …, then /etc/vya-backupdb/config.yaml)")
    .addOption(new Option("--log-level <level>", "log verbosity").choices(LOG_LEVELS).default("info"))
    .option("--log-file <file>", "also append JSON log lines to this file")
    .option("--json", "machine-readable JSON on stdout (logs always go to stderr)")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  const named = commandNameOf(args);
  const versionOnly = named === undefined && (args.includes("-V") || args.includes("--version"));
  // The single executable's top-level help lists the commands from their stored summaries.
  const summaries = named === undefined && (args.includes("-h") || args.includes("--help")) ? storedSummaries() : undefined;
  if (summaries) listCommands(program, summaries);
  // Only the command being run is loaded; without one (top-level help, a typo) all of them are,
  // so help lists every command and commander can suggest the right one.
  await registerCommands(program, named ? [named] : versionOnly || summaries ? [] : Object.keys(COMMAND_MODULES));
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await (await buildProgram(argv.slice(2))).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (err instanceof VyaError) {
      process.stderr.write(`vya-backupdb: ${describeError(err)}\n`);
      // Interrupted (e.g. while waiting for a lock): 130/143 is already set and stays.
      if (process.exitCode !== EXIT.sigint && process.exitCode !== EXIT.sigterm) process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}

// `vya-backupdb list | head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

// No top-level await: the single executable (SEA) runs this file as a CommonJS bundle. A rejection
// (a bug) still ends the process with its stack and exit code 1, as Node does for unhandled rejections.
void main(process.argv);
