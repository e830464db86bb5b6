import { readFile, stat } from "node:fs/promises";
import { parse } from "yaml";
import { SECRET_KEYS } from "../config/schema.js";
import { describeError } from "../util/errors.js";
import { fail, ok, warn, type CheckResult } from "./result.js";

/** Paths of secret keys whose value is written in the file itself (not a ${env:…}/${file:…}/${credential:…} reference). */
export function inlineSecrets(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => inlineSecrets(item, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const here = path ? `${path}.${key}` : key;
    if (SECRET_KEYS.has(key) && typeof child === "string" && child !== "" && !/^\$\{(env|file|credential):[^}]+\}$/.test(child)) return [here];
    return inlineSecrets(child, here);
  });
}

/** The config file: a world-readable file holding inline secrets hands them to every local user. */
export async function checkConfigFile(file: string): Promise<CheckResult> {
  const name = "config file";
  try {
    const [info, text] = await Promise.all([stat(file), readFile(file, "utf8")]);
    const mode = (info.mode & 0o777).toString(8).padStart(4, "0");
    const secrets = inlineSecrets(parse(text) as unknown);
    if ((info.mode & 0o004) !== 0 && secrets.length > 0) {
      return warn(name, file, `mode ${mode} is world-readable and the file holds secrets inline (${secrets.join(", ")})`, `chmod 600 ${file}, or move the secrets to \${env:…}, \${file:…} or \${credential:…} references`);
    }
    return ok(name, file, `mode ${mode}${secrets.length > 0 ? `, ${secrets.length} inline secret${secrets.length === 1 ? "" : "s"}, not world-readable` : ", no inline secrets"}`);
  } catch (err) {
    return fail(name, file, describeError(err));
  }
}
