import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pathSegment } from "../catalog/naming.js";
import type { Storage } from "../storage/storage.js";
import type { RunContext } from "./context.js";
import { failureMessage } from "./replicate.js";

/** A remote checked by `backup --dry-run`: reachable, and a tiny object could be written, read back and deleted. */
export interface ProbeOutcome {
  remote: string;
  kind: Storage["kind"];
  ok: boolean;
  location: string;
  duration_ms: number;
  error?: string;
}

/** Probes every remote in parallel; the probe object lives under the server's folder, hidden, and is always deleted. */
export async function probeRemotes(remotes: readonly Storage[], ctx: RunContext): Promise<ProbeOutcome[]> {
  return Promise.all(remotes.map((storage) => probeRemote(storage, ctx)));
}

async function probeRemote(storage: Storage, ctx: RunContext): Promise<ProbeOutcome> {
  const started = Date.now();
  const key = `${pathSegment(ctx.config.server.name)}/.vya-backupdb-probe-${randomBytes(6).toString("hex")}`;
  const body = Buffer.from(`vya-backupdb write probe ${new Date().toISOString()}\n`);
  const location = storage.describe(key);
  let written = false;
  try {
    await storage.put(key, { stream: Readable.from([body]), size: body.length }, { signal: ctx.signal });
    written = true;
    const seen = await storage.stat(key);
    if (!seen || seen.size !== body.length) throw new Error(`the probe object reads back as ${seen ? `${seen.size} bytes` : "missing"}, ${body.length} were written`);
    await storage.delete(key);
    written = false;
    ctx.logger.info({ remote: storage.name, location }, "remote is reachable and writable");
    return { remote: storage.name, kind: storage.kind, ok: true, location, duration_ms: Date.now() - started };
  } catch (err) {
    if (written) await storage.delete(key).catch(() => undefined);
    const error = ctx.redactor.redact(failureMessage(storage.name, location, err));
    ctx.logger.error({ remote: storage.name, err: error }, "remote probe failed");
    return { remote: storage.name, kind: storage.kind, ok: false, location, duration_ms: Date.now() - started, error };
  }
}
