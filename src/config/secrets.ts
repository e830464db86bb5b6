import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Redactor } from "../util/redact.js";
import { formatPath } from "./path.js";
import { SECRET_KEYS } from "./schema.js";

/**
 * Secret references: exactly ${env:NAME}, ${file:/path} and ${credential:NAME} (systemd's
 * $CREDENTIALS_DIRECTORY/NAME). Any other "$" is literal, because passwords contain "$".
 */
const REF = /\$\{(env|file|credential):([^}]+)\}/g;

export interface SecretContext {
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
}

/** Replaces every reference in string values; returns a copy and one problem line per failure. */
export function resolveSecretRefs(value: unknown, ctx: SecretContext): { value: unknown; problems: string[] } {
  const problems: string[] = [];
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === "string") return resolveString(node, path, ctx, problems);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node && typeof node === "object") {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { value: walk(value, []), problems };
}

function resolveString(text: string, path: PropertyKey[], ctx: SecretContext, problems: string[]): string {
  const key = path[path.length - 1];
  const secretKey = typeof key === "string" && SECRET_KEYS.has(key);
  let usedRef = false;
  const out = text.replace(REF, (whole, kind: string, name: string) => {
    usedRef = true;
    const resolved = lookup(kind, name.trim(), ctx);
    if (resolved.error) {
      problems.push(`${formatPath(path)}: cannot resolve ${whole}: ${resolved.error}`);
      return "";
    }
    // Values read from files and credentials are secrets by nature; env values only at secret keys.
    if (kind !== "env" || secretKey) ctx.redactor.add(resolved.value);
    return resolved.value ?? "";
  });
  if (secretKey) ctx.redactor.add(out);
  else if (usedRef && out !== text && SECRET_KEYS.has(String(key))) ctx.redactor.add(out);
  return out;
}

function lookup(kind: string, name: string, ctx: SecretContext): { value?: string; error?: string } {
  if (kind === "env") {
    const value = ctx.env[name];
    return value === undefined ? { error: `environment variable ${name} is not set` } : { value };
  }
  if (kind === "file") return readSecretFile(name);
  const dir = ctx.env.CREDENTIALS_DIRECTORY;
  if (!dir) return { error: `CREDENTIALS_DIRECTORY is not set (run under systemd with LoadCredential=${name}:…)` };
  return readSecretFile(join(dir, name));
}

/** Reads a secret file; one trailing newline is dropped (editors add one). */
export function readSecretFile(path: string): { value?: string; error?: string } {
  try {
    return { value: readFileSync(path, "utf8").replace(/\r?\n$/, "") };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === "ENOENT" ? `file ${path} does not exist` : `cannot read ${path} (${code ?? String(err)})` };
  }
}
