import { probeRemotes } from "../run/probe.js";
import { openRemotes } from "../storage/registry.js";
import { fail, ok, type CheckContext, type CheckResult } from "./result.js";

/** Each remote: reachable and writable (a tiny probe object written, read back and deleted, as backup --dry-run does). */
export async function checkRemotes(ctx: CheckContext): Promise<CheckResult[]> {
  if (ctx.config.storage.remotes.length === 0) return [];
  const remotes = await openRemotes(ctx.config, { redactor: ctx.redactor, logger: ctx.logger });
  try {
    const probes = await probeRemotes(remotes, { config: ctx.config, logger: ctx.logger, redactor: ctx.redactor, signal: ctx.signal });
    return probes.map((p) =>
      p.ok ? ok("remote writable", p.remote, `${p.kind} ${p.location.replace(/\/[^/]*$/, "/")}: a probe object was written, read back and deleted`) : fail("remote writable", p.remote, p.error ?? "probe failed", "check the remote's address, credentials and permissions in storage.remotes"),
    );
  } finally {
    await Promise.all(remotes.map((r) => r.close().catch(() => undefined)));
  }
}
