import { instanceName, type Config, type Instance } from "../config/schema.js";
import { UsageError } from "../util/errors.js";

/**
 * Instances named by -i (id or name); all enabled ones when none is named. Naming a disabled
 * instance runs it: asking for it by name is explicit.
 */
export function selectInstances(config: Config, wanted: readonly string[]): Instance[] {
  if (wanted.length === 0) return config.instances.filter((i) => i.enabled);
  const unknown: string[] = [];
  const picked: Instance[] = [];
  for (const want of wanted) {
    const found = config.instances.find((i) => String(i.id) === want || instanceName(i) === want);
    if (!found) unknown.push(want);
    else if (!picked.includes(found)) picked.push(found);
  }
  if (unknown.length > 0) {
    const valid = config.instances.map((i) => `${i.id} (${instanceName(i)})`).join(", ") || "none configured";
    throw new UsageError(`unknown instance ${unknown.map((u) => `"${u}"`).join(", ")}; valid: ${valid}`);
  }
  return picked;
}
