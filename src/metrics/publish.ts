import { listCatalog, type CatalogEntry } from "../catalog/list.js";
import type { Config } from "../config/schema.js";
import type { NotificationOutcome } from "../notify/notice.js";
import type { FinishedRun } from "../notify/outcome.js";
import { openLocal, openRemotes } from "../storage/registry.js";
import { describeError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import type { Redactor } from "../util/redact.js";
import { pushMetrics } from "./pushgateway.js";
import { buildRegistry } from "./registry.js";
import { catalogueFacts } from "./series.js";
import { writeTextfile } from "./textfile.js";

export interface MetricsOutcome {
  target: "pushgateway" | "textfile";
  status: "sent" | "failed";
  error?: string;
}

interface PublishContext {
  config: Config;
  logger: Logger;
  redactor: Redactor;
}

/**
 * After a run: the catalogue of every storage is read (the last good backup comes from the
 * sidecars), the metrics built once and pushed and/or written. Never throws: a failure is logged
 * and returned, the run's exit code stays what the run made it.
 */
export async function publishMetrics(run: FinishedRun, notifications: NotificationOutcome[], ctx: PublishContext): Promise<MetricsOutcome[]> {
  const metrics = ctx.config.metrics;
  if (!metrics || (!metrics.pushgateway && !metrics.textfile)) return [];
  const { entries, unreadable } = await readCatalogues(ctx);
  const registry = buildRegistry({ run, facts: catalogueFacts(entries), notifications, unreadableStorages: unreadable });
  const outcomes: MetricsOutcome[] = [];
  const attempt = async (target: MetricsOutcome["target"], work: () => Promise<void>) => {
    try {
      await work();
      outcomes.push({ target, status: "sent" });
      ctx.logger.debug({ target }, "metrics published");
    } catch (err) {
      const error = ctx.redactor.redact(describeError(err));
      ctx.logger.warn({ target, err: error }, "publishing metrics failed (the run's exit code is unchanged)");
      outcomes.push({ target, status: "failed", error });
    }
  };
  if (metrics.pushgateway) {
    const push = metrics.pushgateway;
    await attempt("pushgateway", () => pushMetrics(push, { instance: ctx.config.server.name }, registry));
  }
  if (metrics.textfile) {
    const file = metrics.textfile;
    await attempt("textfile", () => writeTextfile(file, registry));
  }
  return outcomes;
}

/** Every storage's catalogue of this server; one that cannot be read is named, not fatal. */
async function readCatalogues(ctx: PublishContext): Promise<{ entries: CatalogEntry[]; unreadable: string[] }> {
  const prefix = `${ctx.config.server.name}/`;
  const storages = [openLocal(ctx.config), ...(await openRemotes(ctx.config, { redactor: ctx.redactor, logger: ctx.logger }))];
  const entries: CatalogEntry[] = [];
  const unreadable: string[] = [];
  await Promise.all(
    storages.map(async (storage) => {
      try {
        entries.push(...(await listCatalog(storage, prefix)));
      } catch (err) {
        unreadable.push(storage.name);
        ctx.logger.warn({ storage: storage.name, err: ctx.redactor.redact(describeError(err)) }, "cannot list this storage for the metrics");
      } finally {
        await storage.close().catch(() => undefined);
      }
    }),
  );
  return { entries, unreadable };
}
