import type { z } from "zod";
import { formatPath } from "./path.js";
import { SECRET_KEYS } from "./schema.js";

/** Turns zod issues into one line each: `instances[1].port: expected a number, got "abc"`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => formatIssue(issue));
}

function describeValue(value: unknown, path: readonly PropertyKey[]): string {
  const key = path[path.length - 1];
  if (typeof key === "string" && SECRET_KEYS.has(key)) return "a secret value (hidden)";
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** zod does not list a discriminated union's options in its issue; these are ours. */
const DISCRIMINATOR_VALUES: Record<string, string[]> = {
  instances: ["postgres", "mysql", "files"],
  remotes: ["s3", "sftp"],
};

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function formatIssue(issue: z.core.$ZodIssue): string[] {
  const where = formatPath(issue.path);
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "invalid_type":
      if (input === undefined) return [`${where}: required (${article(issue.expected)}) but missing`];
      return [`${where}: expected ${article(issue.expected)}, got ${describeValue(input, issue.path)}`];
    case "unrecognized_keys":
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key (a typo?)`);
    case "invalid_value":
      return [`${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}, got ${describeValue(input, issue.path)}`];
    case "invalid_union": {
      const note = (issue as { note?: string }).note;
      const discriminator = (issue as { discriminator?: string }).discriminator;
      if (discriminator) {
        // zod puts the discriminator at the end of the path in some versions and not in others.
        const path = issue.path[issue.path.length - 1] === discriminator ? issue.path : [...issue.path, discriminator];
        const parent = path.slice(0, -1).reverse().find((k) => typeof k === "string");
        const options = (DISCRIMINATOR_VALUES[String(parent)] ?? []).map((v) => JSON.stringify(v)).join(" | ");
        const got = input && typeof input === "object" ? (input as Record<string, unknown>)[discriminator] : input;
        return [`${formatPath(path)}: expected one of ${options}, got ${describeValue(got, [])}`];
      }
      return [`${where}: ${note ?? issue.message}`];
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? "at least" : "at most";
      const limit = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const unit = issue.origin === "array" ? " item(s)" : issue.origin === "string" ? " character(s)" : "";
      return [`${where}: expected ${bound} ${String(limit)}${unit}, got ${issue.origin === "array" && Array.isArray(input) ? `${input.length}` : describeValue(input, issue.path)}`];
    }
    case "invalid_format":
    case "custom":
    default:
      return [`${where}: ${issue.message}${input !== undefined && issue.code !== "custom" ? `, got ${describeValue(input, issue.path)}` : ""}`];
  }
}
