/**
 * Removes literal secret values from text before it leaves the process (logs, errors, reports,
 * command output). Config loading registers every secret it resolves.
 *
 * Two ways in: `redact(text)` for free text (an error, a warning, a command line); `json(value)`
 * and `logLine(line)` for structured output, where each string value is scrubbed on its own and
 * keys, numbers and the tool's own structural fields are left alone, so a secret that is a
 * common word or a number ("postgres", "1234") can never make the JSON unparseable. Sidecars are
 * not redacted here at all: see catalog/sidecar-secrets.ts.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(value: string | undefined | null): void {
    // Very short values would blank out ordinary words; they are still kept off argv and logs
    // by construction, this is the last line of defence.
    if (value && value.length >= 3) this.secrets.add(value);
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Whether `text` holds a registered secret (as is, or JSON-escaped). */
  holds(text: string): boolean {
    return this.redact(text) !== text;
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join("***");
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret && out.includes(escaped)) out = out.split(escaped).join("***");
    }
    return out;
  }

  /** A copy of `value` with every string scrubbed, except under STRUCTURAL_KEYS; keys kept. */
  redactValue<T>(value: T): T {
    // Through JSON first, so what is scrubbed is exactly what will be printed (dates as strings).
    const text = JSON.stringify(value);
    return (text === undefined ? value : this.walk(JSON.parse(text), undefined)) as T;
  }

  /** `value` as indented JSON, scrubbed value by value. */
  json(value: unknown): string {
    return JSON.stringify(this.redactValue(value), null, 2);
  }

  /** One serialized log line (pino's JSON), scrubbed value by value; other text as free text. */
  logLine(line: string): string {
    if (this.secrets.size === 0) return line;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return this.redact(line);
    }
    if (parsed === null || typeof parsed !== "object") return this.redact(line);
    return `${JSON.stringify(this.redactValue(parsed))}${line.endsWith("\n") ? "\n" : ""}`;
  }

  private walk(value: unknown, key: string | undefined): unknown {
    if (typeof value === "string") return key !== undefined && STRUCTURAL_KEYS.has(key) ? value : this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item, key));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.walk(v, k)]));
    }
    return value;
  }
}

/**
 * String fields whose values the tool itself makes (enums, digests, timestamps, ids, versions):
 * a secret found in one is a coincidence that reveals nothing, and scrubbing it would make the
 * output lie (an instance type "***", a digest that no longer matches).
 */
const STRUCTURAL_KEYS = new Set([
  "status",
  "state",
  "kind",
  "type",
  "format",
  "sha256",
  "started_at",
  "completed_at",
  "time",
  "run_id",
  "backup_id",
  "tool_version",
  "version",
  "algorithm",
  "dump_format",
  "mode",
]);
