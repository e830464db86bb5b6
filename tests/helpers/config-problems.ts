import { parseConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/util/errors.js";

/** The problem lines parseConfig reports for `raw` (none: []); anything else than a ConfigError is re-thrown. */
export function problemsOf(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, { file: "test.yaml", env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
