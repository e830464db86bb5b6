import { describe, expect, it } from "vitest";
import { archiveExtension } from "../../src/archive/format.js";
import { parseConfig } from "../../src/config/load.js";
import { packingOf } from "../../src/config/packing.js";
import { ConfigError } from "../../src/util/errors.js";

const base = { server: { name: "db01" }, storage: { local: { path: "/var/backups/x" } } };
const pg = { id: 1, type: "postgres", user: "u" };
const files = { id: 2, type: "files", paths: ["/etc/*"] };

function parse(instance: Record<string, unknown>) {
  return parseConfig({ ...base, instances: [instance] }, { file: "t.yaml", env: {} }).config.instances[0];
}
function problems(instance: Record<string, unknown>): string[] {
  try {
    parse(instance);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("packing: archive format and compressor from the config", () => {
  it.each([
    ["database, defaults", pg, "zip", { algorithm: "gzip", level: 6 }, { algorithm: "deflate", level: 6 }],
    ["database, tar.gz level 0", { ...pg, archive: "tar.gz", compression_level: 0 }, "tar.gz", { algorithm: "gzip", level: 0 }, { algorithm: "store", level: 0 }],
    ["database, zstd default level 3", { ...pg, compression: "zstd" }, "zst", { algorithm: "zstd", level: 3 }, { algorithm: "zstd", level: 3 }],
    ["database, zstd level 19", { ...pg, compression: "zstd", compression_level: 19 }, "zst", { algorithm: "zstd", level: 19 }, { algorithm: "zstd", level: 19 }],
    ["files, defaults", files, "tar.gz", { algorithm: "gzip", level: 6 }, { algorithm: "deflate", level: 6 }],
    ["files, zip", { ...files, archive: "zip", compression_level: 9 }, "zip", { algorithm: "gzip", level: 9 }, { algorithm: "deflate", level: 9 }],
    ["files, zstd", { ...files, compression: "zstd", compression_level: 7 }, "tar.zst", { algorithm: "zstd", level: 7 }, { algorithm: "zstd", level: 7 }],
  ])("%s", (_what, instance, format, compression, recorded) => {
    const parsed = parse(instance);
    expect(parsed && packingOf(parsed)).toEqual({ format, compression, recorded });
  });

  it.each([
    ["zip with zstd", { ...pg, compression: "zstd", archive: "zip" }, /instances\[0\]\.archive: archive: zip with compression: zstd: zip stays deflate: Info-ZIP.*leave archive out, zstd writes <db>\.sql\.zst/],
    ["tar.gz with zstd on files", { ...files, compression: "zstd", archive: "tar.gz" }, /instances\[0\]\.archive: .*tar\.gz is gzip.*\.tar\.zst/],
    ["deflate level 12", { ...pg, compression_level: 12 }, /instances\[0\]\.compression_level: deflate levels go up to 9, got 12/],
    ["zstd level 20", { ...files, compression: "zstd", compression_level: 20 }, /instances\[0\]\.compression_level: .*19/],
    ["zstd level 0", { ...files, compression: "zstd", compression_level: 0 }, /instances\[0\]\.compression_level: zstd levels start at 1/],
    ["unknown algorithm", { ...pg, compression: "brotli" }, /instances\[0\]\.compression/],
  ])("refused: %s", (_what, instance, message) => {
    expect(problems(instance).join("\n")).toMatch(message);
  });

  it("names archives by format: a lone zstd dump keeps its dump's extension", () => {
    expect(archiveExtension("zip", "sql")).toBe("zip");
    expect(archiveExtension("tar.zst", null)).toBe("tar.zst");
    expect(archiveExtension("zst", "sql")).toBe("sql.zst");
    expect(archiveExtension("zst", "dump")).toBe("dump.zst");
  });
});
