import { loadConfig, type LoadedConfig } from "../config/load.js";
import { createLogger, type Logger } from "../util/logger.js";
import { Redactor } from "../util/redact.js";
import type { GlobalOptions } from "./globals.js";

/** A command's view of the world: the validated config, a logger that redacts, the redactor. */
export interface Session {
  loaded: LoadedConfig;
  logger: Logger;
  redactor: Redactor;
}

export function makeLogger(globals: GlobalOptions, redactor: Redactor, file?: string): Logger {
  return createLogger({ level: globals.logLevel, redactor, file: globals.logFile ?? file, pretty: process.stderr.isTTY === true });
}

export async function openSession(globals: GlobalOptions): Promise<Session> {
  const redactor = new Redactor();
  const loaded = await loadConfig({ file: globals.config, redactor });
  const logger = makeLogger(globals, redactor, loaded.config.options.log_file);
  for (const warning of loaded.warnings) logger.warn(warning);
  return { loaded, logger, redactor };
}
