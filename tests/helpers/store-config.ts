import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";

/**
 * The config the CLI tests over local archives share: server db01, local storage in <dir>/store
 * (so archives land in <dir>/store/db01/<instance>), written to <dir>/config.yaml.
 */
export async function writeStoreConfig(dir: string, instances: Record<string, unknown>[]): Promise<string> {
  const config = join(dir, "config.yaml");
  await writeFile(config, stringify({ server: { name: "db01" }, storage: { local: { path: join(dir, "store") } }, instances }));
  return config;
}
