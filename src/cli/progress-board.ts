import { Writable } from "node:stream";
import { formatBytes } from "./table.js";

/** What a running unit reports: read when the board redraws, so counting costs nothing per chunk. */
export interface UnitProgress {
  done(): void;
}

export interface ProgressBoard {
  /** A line for a unit from now until done(); `bytes` is read at each redraw. */
  start(label: string, bytes: () => number): UnitProgress;
  /** Where log lines go while the board is shown: the board steps aside for each, then redraws. */
  readonly logStream: Writable;
  stop(): void;
}

interface Line {
  label: string;
  bytes: () => number;
  started: number;
}

/**
 * One live line per running unit at the bottom of a terminal (stderr): bytes written, rate,
 * elapsed, redrawn five times a second. Log lines are written above it: the board erases its
 * lines, the log line is written, the board is drawn again, so neither garbles the other.
 */
export function createProgressBoard(out: NodeJS.WritableStream, now: () => number = Date.now, intervalMs = 200): ProgressBoard {
  const lines = new Set<Line>();
  let drawn = 0;
  const clear = () => {
    if (drawn > 0) out.write(`\x1b[${drawn}A\r\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    clear();
    const t = now();
    for (const line of lines) out.write(`${renderLine(line.label, line.bytes(), t - line.started)}\n`);
    drawn = lines.size;
  };
  const timer = setInterval(draw, intervalMs);
  timer.unref();
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      clear();
      out.write(chunk);
      if (lines.size > 0) draw();
      callback();
    },
  });
  return {
    start(label, bytes) {
      const line = { label, bytes, started: now() };
      lines.add(line);
      draw();
      return {
        done() {
          lines.delete(line);
          draw();
        },
      };
    },
    logStream,
    stop() {
      clearInterval(timer);
      clear();
      lines.clear();
    },
  };
}

/** "pg-main/app  12.3 MiB written  4.1 MiB/s  0:03" */
export function renderLine(label: string, bytes: number, elapsedMs: number): string {
  const seconds = Math.max(0, Math.floor(elapsedMs / 1000));
  const rate = elapsedMs > 0 ? (bytes * 1000) / elapsedMs : 0;
  const elapsed = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  return `  ${label}  ${formatBytes(bytes)} written  ${formatBytes(Math.round(rate))}/s  ${elapsed}`;
}
