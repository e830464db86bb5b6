import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgressBoard, renderLine } from "../../src/cli/progress-board.js";
import { renderTable, wrapText } from "../../src/cli/table.js";
import { colorAllowed, isInteractive } from "../../src/util/terminal.js";

describe("tables fit 100 columns", () => {
  it("the last column wraps at spaces, continuation lines indented under it", () => {
    const long = "pg_dump 15.18 (plain) of \"accounting_production\", PostgreSQL 15.18 at db-primary.internal.example.com:5432 over TLS";
    const out = renderTable(["instance", "database", "from"], [["pg-main", "accounting_production", long]]);
    const lines = out.split("\n");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(1).map((l) => l.trim()).join(" ").replace(/ +/g, " ")).toBe(`pg-main accounting_production ${long}`.replace(/ +/g, " "));
    const column = lines[1]?.indexOf("pg_dump") ?? -1;
    expect(lines[2]?.slice(0, column)).toBe(" ".repeat(column));
    expect(lines[2]?.[column]).not.toBe(" ");
  });

  it("a short table is unchanged", () => {
    expect(renderTable(["a", "b"], [["1", "two"]])).toBe("a  b\n1  two");
  });

  it.each([
    ["one two three", 7, ["one two", "three"]],
    ["abcdefghij", 4, ["abcd", "efgh", "ij"]],
    ["", 5, [""]],
  ])("wrapText(%j, %d)", (text, width, lines) => expect(wrapText(text, width)).toEqual(lines));
});

describe("progress board", () => {
  const sink = () => {
    let text = "";
    const stream = new Writable({ write: (c: Buffer, _e, cb) => ((text += c.toString()), cb()) });
    return { stream, text: () => text };
  };

  it("draws a line per running unit, steps aside for a log line, then redraws below it", () => {
    const out = sink();
    let t = 0;
    const board = createProgressBoard(out.stream, () => t, 1_000_000);
    const a = board.start("pg/app", () => 2 * 1024 * 1024);
    t = 2000;
    board.start("pg/crm", () => 0);
    board.logStream.write("INFO: pg/crm: backup started\n");
    a.done();
    board.stop();
    const text = out.text();
    // The log line is written once, after erasing the two board lines, and the board is drawn again after it.
    expect(text.split("INFO: pg/crm: backup started").length).toBe(2);
    expect(text).toContain("\x1b[2A\r\x1b[JINFO: pg/crm: backup started\n  pg/app  2.0 MiB written  1.0 MiB/s  0:02\n  pg/crm  0 B written  0 B/s  0:00\n");
  });

  it("renderLine: bytes, rate, elapsed", () => {
    expect(renderLine("files-1", 10 * 1024 * 1024, 125_000)).toBe("  files-1  10.0 MiB written  81.9 KiB/s  2:05");
  });
});

describe("who is watching", () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { INVOCATION_ID: "x" }, false],
    [true, { JOURNAL_STREAM: "8:123" }, false],
  ])("isTTY %s, env %j → %s", (tty, env, expected) => expect(isInteractive({ isTTY: tty }, env)).toBe(expected));
  it("NO_COLOR", () => {
    expect(colorAllowed({ NO_COLOR: "1" })).toBe(false);
    expect(colorAllowed({})).toBe(true);
  });
});
