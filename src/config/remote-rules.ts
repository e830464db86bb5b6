import { formatPath } from "./path.js";

/**
 * Rules across keys of one remote (the schema checks each key alone), checked on the raw input
 * so they are reported together with the schema's problems.
 */
export function checkRemotes(raw: unknown): string[] {
  const problems: string[] = [];
  const root = raw as { storage?: { remotes?: unknown } } | null;
  const remotes = Array.isArray(root?.storage?.remotes) ? (root.storage.remotes as unknown[]) : [];
  remotes.forEach((item, index) => {
    if (!item || typeof item !== "object") return;
    const remote = item as Record<string, unknown>;
    const at = (key: string, message: string) => problems.push(`${formatPath(["storage", "remotes", index, key])}: ${message}`);
    const has = (key: string) => remote[key] !== undefined;
    if (remote.name === "local") at("name", '"local" names the local storage; choose another remote name');
    if (remote.type === "s3") {
      if (has("access_key_id") !== has("secret_access_key")) {
        at(has("access_key_id") ? "secret_access_key" : "access_key_id", "give access_key_id and secret_access_key together, or neither (then the AWS credential chain is used)");
      }
      if (has("kms_key_id") && remote.server_side_encryption !== "aws:kms") at("kms_key_id", 'kms_key_id needs server_side_encryption: "aws:kms"');
    } else if (remote.type === "sftp") {
      if (!has("password") && !has("private_key") && !has("private_key_file")) at("password", "give private_key_file, private_key or password");
      if (has("private_key") && has("private_key_file")) at("private_key_file", "give private_key or private_key_file, not both");
      if (has("host_key_sha256") && has("known_hosts")) at("known_hosts", "give host_key_sha256 or known_hosts, not both");
      if (typeof remote.path === "string" && !remote.path.startsWith("/")) at("path", `expected an absolute path, got "${remote.path}"`);
    }
  });
  return problems;
}
