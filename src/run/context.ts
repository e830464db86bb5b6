import type { Config } from "../config/schema.js";
import type { Storage } from "../storage/storage.js";
import type { Logger } from "../util/logger.js";
import type { Redactor } from "../util/redact.js";

/** Everything a run needs, passed explicitly (no module-level state). */
export interface RunContext {
  config: Config;
  logger: Logger;
  redactor: Redactor;
  signal: AbortSignal;
  /** The config file in use, for commands printed to the user (`-c FILE`); absent in tests of the internals. */
  configFile?: string;
  /** restore --identity: the age identity file, for commands printed to the user (the rollback). */
  identityFile?: string;
  /** Remote storages every finished backup is copied to (storage.remotes), opened once per run. */
  remotes?: Storage[];
  /** A live line per running unit on a terminal (cli/progress-board.ts); absent under systemd, in a pipe, in tests of the internals. */
  progress?: { start(label: string, bytes: () => number): { done(): void } } | undefined;
}
