import * as childProcess from "node:child_process";
import { createRequire } from "node:module";
import { Script } from "node:vm";
import { describe, expect, it } from "vitest";
import { CHUNK_WRAPPER_HEAD, CHUNK_WRAPPER_TAIL } from "../../src/sea/chunk-format.js";
import { chunkLoader, type ReadChunk } from "../../src/sea/chunk-loader.js";

const nodeRequire = createRequire(import.meta.url);
const wrap = (body: string) => CHUNK_WRAPPER_HEAD + body + CHUNK_WRAPPER_TAIL;
const CHUNKS: Record<string, string> = {
  "cli.js": wrap(`const shared = require("./shared.js"); module.exports = { answer: shared.n + 1, path: require("node:path").sep };`),
  "shared.js": wrap(`globalThis.__vyaChunkRuns = (globalThis.__vyaChunkRuns ?? 0) + 1; exports.n = 41;`),
  "cp.js": wrap(`const cp = require("node:child_process"); module.exports = { cp, spawn: () => cp.spawn };`),
};
const fromMap: ReadChunk = (name) => {
  const source = CHUNKS[name];
  if (source === undefined) throw new Error(`no chunk ${name}`);
  return { source };
};

describe("chunkLoader (the single executable's CommonJS over its chunks)", () => {
  it("runs each chunk once, chunks require each other, anything else goes to the built-in require", () => {
    const asked: string[] = [];
    const load = chunkLoader(fromMap, (id) => (asked.push(id), nodeRequire(id)));
    const g = globalThis as { __vyaChunkRuns?: number };
    delete g.__vyaChunkRuns;
    expect(load("./cli.js")).toEqual({ answer: 42, path: "/" });
    expect(load("./shared.js")).toEqual({ n: 41 });
    expect(g.__vyaChunkRuns).toBe(1);
    expect(asked).toEqual(["node:path"]);
    delete g.__vyaChunkRuns;
  });

  it("defers child_process until a property is used, then is the module itself", () => {
    const asked: string[] = [];
    const load = chunkLoader(fromMap, (id) => (asked.push(id), nodeRequire(id)));
    const chunk = load("./cp.js") as { cp: typeof childProcess; spawn: () => unknown };
    expect(asked).toEqual([]);
    expect(chunk.spawn()).toBe(childProcess.spawn);
    expect(asked).toEqual(["node:child_process"]);
    expect(Object.keys(chunk.cp).sort()).toEqual(Object.keys(nodeRequire("node:child_process") as object).sort());
    expect("execFile" in chunk.cp).toBe(true);
    expect({ ...chunk.cp }.exec).toBe(childProcess.exec);
  });

  it("compiles with the code cache given, says whether V8 took it, and hands back the scripts", () => {
    const source = CHUNKS["shared.js"]!;
    const good = new Script(source, { filename: "shared.js" }).createCachedData();
    const lines: string[] = [];
    const compiled = new Map<string, Script>();
    const read = (cache: Uint8Array): ReadChunk => () => ({ source, cachedData: cache });
    chunkLoader(read(good), nodeRequire, (line) => lines.push(line), compiled)("./shared.js");
    // A source of its own: V8 reuses a script it compiled before in this process, cache or not.
    const other = wrap("exports.other = true;");
    chunkLoader(() => ({ source: other, cachedData: new Uint8Array([1, 2, 3, 4]) }), nodeRequire, (line) => lines.push(line))("./other.js");
    chunkLoader(fromMap, nodeRequire, (line) => lines.push(line))("./shared.js");
    expect(lines).toEqual(["sea: shared.js (code cache accepted)\n", "sea: other.js (code cache rejected)\n", "sea: shared.js (code cache none)\n"]);
    expect([...compiled.keys()]).toEqual(["shared.js"]);
  });
});
