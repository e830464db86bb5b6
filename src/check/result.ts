import type { Config } from "../config/schema.js";
import type { Logger } from "../util/logger.js";
import type { Redactor } from "../util/redact.js";

/** One line of `check`: what was checked, on what, the verdict, and how to fix it when it is not OK. */
export interface CheckResult {
  check: string;
  target: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  fix?: string;
}

export interface CheckContext {
  config: Config;
  configFile: string;
  logger: Logger;
  redactor: Redactor;
  signal: AbortSignal;
}

/** A client's multi-line error on one line, each distinct line once (libpq repeats itself per address). */
export function oneLine(text: string): string {
  return [...new Set(text.split("\n").map((l) => l.trim()).filter(Boolean))].join("; ");
}

export const ok = (check: string, target: string, detail: string): CheckResult => ({ check, target, status: "ok", detail: oneLine(detail) });
export const warn = (check: string, target: string, detail: string, fix?: string): CheckResult => ({ check, target, status: "warn", detail: oneLine(detail), ...(fix ? { fix } : {}) });
export const fail = (check: string, target: string, detail: string, fix?: string): CheckResult => ({ check, target, status: "fail", detail: oneLine(detail), ...(fix ? { fix } : {}) });
