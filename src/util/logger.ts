import { createWriteStream, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { pino, multistream, type Logger, type StreamEntry, type Level } from "pino";
import pretty from "pino-pretty";
import { describeError, UsageError } from "./errors.js";
import type { LogCapture } from "./log-capture.js";
import type { Redactor } from "./redact.js";

export type { Logger };

export interface LoggerOptions {
  level: string;
  redactor: Redactor;
  /** Also append JSON lines to this file. */
  file?: string | undefined;
  /** Human-readable lines (a TTY); JSON lines otherwise, which the systemd journal keeps whole. */
  pretty?: boolean;
  /** Also keep the lines in memory (for the failure e-mail); they are redacted like the others. */
  capture?: LogCapture | undefined;
  /** Colour in human-readable lines (off with NO_COLOR). */
  color?: boolean;
  /** Where human-readable lines go instead of fd 2 (the progress board, which redraws around them). */
  prettyDestination?: NodeJS.WritableStream | undefined;
}

/** Keys whose values are never logged, wherever they appear in a log object. */
const REDACT_PATHS = [
  "password",
  "*.password",
  "secret",
  "*.secret",
  "secret_access_key",
  "*.secret_access_key",
  "passphrase",
  "*.passphrase",
  "private_key",
  "*.private_key",
  "env.PGPASSWORD",
  "env.MYSQL_PWD",
];

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level as Level;
  const streams: StreamEntry[] = [
    {
      level,
      stream: options.pretty
        ? pretty({ destination: options.prettyDestination ?? 2, colorize: options.color ?? true, translateTime: "SYS:HH:MM:ss",
            // One line per event for a person: "instance/database: message {details}"; the JSON lines keep every field.
            singleLine: true,
            messageFormat: (log: Record<string, unknown>, messageKey: string) => {
              const where = typeof log.instance === "string" ? `${log.instance}${typeof log.database === "string" ? `/${log.database}` : ""}: ` : "";
              return `${where}${String(log[messageKey] ?? "")}`;
            },
            ignore: "pid,hostname,instance,database,source,sha256",
            sync: true,
          })
        : pino.destination({ dest: 2, sync: true }),
    },
  ];
  if (options.file) {
    // Opened here, synchronously: a file that cannot be opened is a usage error now, not a crash on the first line.
    let fd: number;
    try {
      mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
      fd = openSync(options.file, "a", 0o600);
    } catch (err) {
      throw new UsageError(`cannot open the log file ${options.file} (--log-file or options.log_file): ${describeError(err)}`, { cause: err });
    }
    streams.push({ level, stream: createWriteStream(options.file, { fd }) });
  }
  if (options.capture) streams.push({ level, stream: options.capture });
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: "***" },
      // The last line of defence: literal secret values are scrubbed from each value of the
      // serialized line (not the line as text, which a secret such as "30" would break).
      hooks: { streamWrite: (line: string) => options.redactor.logLine(line) },
    },
    multistream(streams),
  );
}

