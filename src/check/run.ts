import type { Instance } from "../config/schema.js";
import { checkConfigFile } from "./config-file.js";
import { checkInstance } from "./instances.js";
import { checkLocalStorage } from "./local-storage.js";
import { checkMonitoring } from "./monitoring.js";
import { checkRemotes } from "./remotes.js";
import type { CheckContext, CheckResult } from "./result.js";

/**
 * Everything a run needs, without backing up: the config file, each instance (tools, connection,
 * login, privileges, restore tools), local storage (writable, free space), each remote. The
 * instances and remotes are checked in parallel: a dead host costs its timeout once. SMTP and
 * the Pushgateway are checked when the config has them (notifications.email, metrics.pushgateway).
 */
export async function runChecks(instances: readonly Instance[], ctx: CheckContext): Promise<CheckResult[]> {
  const [config, local, remotes, monitoring, ...perInstance] = await Promise.all([
    checkConfigFile(ctx.configFile),
    checkLocalStorage(ctx),
    checkRemotes(ctx),
    checkMonitoring(ctx),
    ...instances.map((instance) => checkInstance(instance, ctx)),
  ]);
  return [config, ...perInstance.flat(), ...local, ...remotes, ...monitoring];
}
