/**
 * Keeps the run's own log lines (already redacted by the logger) in memory, bounded by bytes
 * (oldest dropped first), for the failure e-mail's inline tail and attachment.
 */
export class LogCapture {
  private lines: string[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes = 4 * 1024 * 1024) {}

  /** A pino destination: one serialized line per write. */
  write(line: string): void {
    const text = line.endsWith("\n") ? line.slice(0, -1) : line;
    this.lines.push(text);
    this.bytes += text.length + 1;
    while (this.bytes > this.maxBytes && this.lines.length > 1) this.bytes -= (this.lines.shift() ?? "").length + 1;
  }

  /** The captured lines, each made readable: "time LEVEL message key=value …". */
  readable(): string[] {
    return this.lines.map(readableLine);
  }
}

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

function readableLine(line: string): string {
  try {
    const { time, level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const when = typeof time === "number" ? new Date(time).toISOString() : "";
    const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    return [when, LEVELS[Number(level)] ?? String(level), String(msg ?? ""), ...fields].filter((p) => p !== "").join(" ");
  } catch {
    return line;
  }
}
