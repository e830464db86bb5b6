import { dirname } from "node:path";
import type { Registry } from "prom-client";
import { atomicWriteFile } from "../util/fs.js";
import { OperationError, describeError } from "../util/errors.js";

/**
 * The .prom file for node_exporter's textfile collector: written under a temporary name in the
 * same folder (which the collector ignores: it reads *.prom only) and renamed, so a scrape never
 * sees half a file.
 */
export async function writeTextfile(path: string, registry: Registry): Promise<void> {
  try {
    await atomicWriteFile(path, await registry.metrics(), 0o644);
  } catch (err) {
    throw new OperationError(`writing the metrics textfile in ${dirname(path)} failed: ${describeError(err)}`, { cause: err });
  }
}
