import { describe, expect, it } from "vitest";
import { createProgress } from "../../src/restore/progress.js";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream, writes };
}

describe("restore progress line", () => {
  it("on a terminal: bytes done / total, rewritten in place, at most every 100 ms, then a newline", () => {
    const { stream, writes } = fakeStream(true);
    let now = 1_000;
    const progress = createProgress(stream, "restoring", () => now);
    progress.update(512, 2048);
    now += 50;
    progress.update(1024, 2048); // too soon: not drawn
    now += 100;
    progress.update(2048, 2048);
    progress.finish();
    expect(writes).toEqual(["\rrestoring 512 B / 2.0 KiB (25 %)\x1b[K", "\rrestoring 2.0 KiB / 2.0 KiB (100 %)\x1b[K", "\rrestoring 2.0 KiB / 2.0 KiB (100 %)\x1b[K", "\n"]);
  });

  it("nothing on a pipe or a log file", () => {
    const { stream, writes } = fakeStream(false);
    const progress = createProgress(stream, "restoring");
    progress.update(1, 2);
    progress.finish();
    expect(writes).toEqual([]);
  });
});
