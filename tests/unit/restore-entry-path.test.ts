import { describe, expect, it } from "vitest";
import { destinationOf, entrySegments, UnsafeEntryError } from "../../src/restore/entry-path.js";
import { planEntries, type EntryMeta } from "../../src/restore/files-plan.js";
import { boundedBody, checkEntrySize, recordedSizes } from "../../src/restore/entry-bounds.js";

describe("entry sizes bounded by the sidecar", () => {
  const recorded = recordedSizes([{ name: "./a.txt", size: 10 }, { name: "d/", size: 0, type: "directory" }]);
  it("a header claiming more than recorded, or an unrecorded file, is refused; directories pass", () => {
    expect(() => checkEntrySize({ name: "a.txt", type: "file", size: 10 }, recorded, "refused")).not.toThrow();
    expect(() => checkEntrySize({ name: "a.txt", type: "file", size: 11 }, recorded, "refused")).toThrow(/holds 11 bytes, but its sidecar records 10 .*: refused/);
    expect(() => checkEntrySize({ name: "b.txt", type: "file", size: 1 }, recorded, "not read")).toThrow(/"b\.txt" \(1 bytes\) is not in its sidecar .*: not read/);
    expect(() => checkEntrySize({ name: "d", type: "directory", size: 0 }, recorded, "refused")).not.toThrow();
  });
  it("a body is stopped as soon as it passes its limit", async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        pulled++;
        yield Buffer.alloc(4);
      }
    }
    const read: Buffer[] = [];
    await expect(async () => {
      for await (const chunk of boundedBody(endless(), 10, "a.txt")) read.push(chunk);
    }).rejects.toThrow(/"a\.txt" holds more than the 10 bytes/);
    expect(Buffer.concat(read).length).toBe(8);
    expect(pulled).toBe(3);
  });
});

describe("entrySegments", () => {
  it.each([
    ["a/b/c.txt", ["a", "b", "c.txt"]],
    ["./a//b/", ["a", "b"]],
    ["dir/", ["dir"]],
    ["./", []],
    ["ünï cödé/名前 ✓", ["ünï cödé", "名前 ✓"]],
    ["a/..b/c..", ["a", "..b", "c.."]],
  ])("%s -> %j", (name, segments) => {
    expect(entrySegments(name)).toEqual(segments);
  });

  it.each([
    ["../x", /contains "\.\."/],
    ["a/../../x", /contains "\.\."/],
    ["a/..", /contains "\.\."/],
    ["/etc/passwd", /absolute path/],
    ["C:/Windows", /drive letter/],
    ["a\\..\\b", /backslash/],
    ["a\0b", /NUL/],
    ["a\nb", /control character \(U\+000A\)/],
    ["\u001b[31mred", /control character \(U\+001B\)/],
    ["x\u009by", /control character \(U\+009B\)/],
  ])("refuses %j", (name, reason) => {
    expect(() => entrySegments(name)).toThrow(UnsafeEntryError);
    expect(() => entrySegments(name)).toThrow(reason);
  });

  it("destinationOf stays inside the root", () => {
    expect(destinationOf("/t", ["a", "b"], "a/b")).toBe("/t/a/b");
    expect(() => destinationOf("/t", ["..", "x"], "../x")).toThrow(/outside \/t/);
  });
});

const file = (name: string, size = 1): EntryMeta => ({ name, type: "file", linkTarget: null, size });
const dir = (name: string): EntryMeta => ({ name, type: "directory", linkTarget: null, size: 0 });
const link = (name: string, target: string): EntryMeta => ({ name, type: "symlink", linkTarget: target, size: 0 });
const hard = (name: string, target: string): EntryMeta => ({ name, type: "hardlink", linkTarget: target, size: 0 });

describe("planEntries", () => {
  it("plans paths below the root and totals file sizes", () => {
    const plan = planEntries([dir("./"), dir("a"), file("a/x", 10), link("a/l", "/etc/hostname"), file("b", 5), hard("c", "b")], "/t");
    expect(plan.entries.map((e) => [e.path, e.skip])).toEqual([
      ["/t", true],
      ["/t/a", false],
      ["/t/a/x", false],
      ["/t/a/l", false],
      ["/t/b", false],
      ["/t/c", false],
    ]);
    expect(plan.totalBytes).toBe(15);
    expect(plan.entries.at(-1)?.linkPath).toBe("/t/b");
  });

  it("refuses an entry below a symlink of the same archive, whatever the order", () => {
    expect(() => planEntries([link("l", "/tmp"), file("l/x")], "/t")).toThrow(/through the symlink l of the same archive/);
    expect(() => planEntries([file("l/x"), link("l", "/tmp")], "/t")).toThrow(/through the symlink l/);
    expect(() => planEntries([link("a/l", ".."), dir("a/l/b")], "/t")).toThrow(/through the symlink a\/l/);
  });

  it("refuses hard links to anything but an earlier file of the archive", () => {
    expect(() => planEntries([hard("p", "/etc/passwd")], "/t")).toThrow(/absolute path/);
    expect(() => planEntries([hard("p", "../x")], "/t")).toThrow(/\.\./);
    expect(() => planEntries([hard("p", "later"), file("later")], "/t")).toThrow(/not a file restored before it/);
  });

  it("a non-directory entry for the root itself is refused; devices are skipped and reported", () => {
    expect(() => planEntries([file("./")], "/t")).toThrow(/replace the target directory itself/);
    const plan = planEntries([{ name: "dev/null", type: "other", linkTarget: null, size: 0 }], "/t");
    expect(plan.skipped).toEqual(["dev/null"]);
  });
});
