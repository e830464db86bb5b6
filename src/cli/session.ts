import { loadConfig, type LoadedConfig } from "../config/load.js";
import { registerChannelSecrets } from "../notify/secrets.js";
import { LogCapture } from "../util/log-capture.js";
import { createLogger, type Logger } from "../util/logger.js";
import { Redactor } from "../util/redact.js";
import { colorAllowed, isInteractive } from "../util/terminal.js";
import type { GlobalOptions } from "./globals.js";

/** A command's view of the world: the validated config, a logger that redacts, the redactor. */
export interface Session {
  loaded: LoadedConfig;
  logger: Logger;
  redactor: Redactor;
  /** The run's log lines, kept for the failure e-mail. */
  logCapture: LogCapture;
}

/** Human-readable, coloured unless NO_COLOR, on a terminal a person watches; JSON lines otherwise (pipes, systemd). */
export function makeLogger(globals: GlobalOptions, redactor: Redactor, file?: string, capture?: LogCapture, logStream?: NodeJS.WritableStream): Logger {
  return createLogger({ level: globals.logLevel, redactor, file: globals.logFile ?? file, pretty: isInteractive(process.stderr), color: colorAllowed(), prettyDestination: logStream, capture });
}

/** `logStream`: where human-readable log lines go while a progress board is shown. */
export async function openSession(globals: GlobalOptions, logStream?: NodeJS.WritableStream): Promise<Session> {
  const redactor = new Redactor();
  const loaded = await loadConfig({ file: globals.config, redactor });
  registerChannelSecrets(loaded.config.notifications, redactor);
  const logCapture = new LogCapture();
  const logger = makeLogger(globals, redactor, loaded.config.options.log_file, logCapture, logStream);
  for (const warning of loaded.warnings) logger.warn(warning);
  return { loaded, logger, redactor, logCapture };
}
