import { formatBytes } from "../cli/table.js";
import { isInteractive } from "../util/terminal.js";

export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

const silent: Progress = { update: () => undefined, finish: () => undefined };

/**
 * A one-line "label 12.0 MiB / 1.2 GiB (1 %)" rewritten in place with a carriage return, at most
 * ten times a second; only on a terminal a person watches (logs, pipes and systemd get nothing).
 */
export function createProgress(stream: NodeJS.WriteStream, label: string, now: () => number = Date.now): Progress {
  if (!isInteractive(stream)) return silent;
  let last = 0;
  let shown = false;
  const render = (done: number, total: number) => {
    const pct = total > 0 ? ` (${Math.min(100, Math.floor((done / total) * 100))} %)` : "";
    stream.write(`\r${label} ${formatBytes(done)} / ${formatBytes(total)}${pct}\x1b[K`);
    shown = true;
  };
  let latest: [number, number] = [0, 0];
  return {
    update(done, total) {
      latest = [done, total];
      const t = now();
      if (t - last < 100) return;
      last = t;
      render(done, total);
    },
    finish() {
      if (shown) {
        render(...latest);
        stream.write("\n");
      }
    },
  };
}
