import { availableParallelism } from "node:os";
import * as zlib from "node:zlib";
import type { Duplex, Readable } from "node:stream";
import { OperationError } from "../util/errors.js";
import { findProgram, programDuplex, programOutput } from "./program-stream.js";

/**
 * zstd: the `zstd` program as a child process when it is installed, else Node's own
 * (zlib.createZstdCompress, Node ≥ 22.15 / 23.8, the single binary's Node 24). The program first
 * because it is faster: 707 MB of dump text took 4.3 s with `zstd -3` on one thread and 2.1 s with
 * -T2, against 6.6–7.2 s through Node 24's built-in (which cannot use workers from a stream:
 * ZSTD_c_nbWorkers ends it with ERR_STREAM_PUSH_AFTER_EOF); decompressing it, 1.6 s against 2.5 s.
 * Both write one standard zstd frame with a content checksum, so `zstd -d`, `tar --zstd` and
 * either path read it back; the built-in one makes the single binary work without the program.
 */
type ZstdFactory = (options: { params: Record<number, number>; chunkSize?: number }) => Duplex;

interface BuiltinZstd {
  compress: ZstdFactory;
  decompress: ZstdFactory;
  levelParam: number;
  checksumParam: number;
}

/** Feature detection, not a version check: the functions and their parameter constants must all exist. */
export function builtinZstd(lib: unknown = zlib): BuiltinZstd | null {
  const z = lib as { createZstdCompress?: ZstdFactory; createZstdDecompress?: ZstdFactory; constants?: Record<string, number | undefined> };
  const levelParam = z.constants?.ZSTD_c_compressionLevel;
  const checksumParam = z.constants?.ZSTD_c_checksumFlag;
  if (!z.createZstdCompress || !z.createZstdDecompress || levelParam === undefined || checksumParam === undefined) return null;
  return { compress: z.createZstdCompress, decompress: z.createZstdDecompress, levelParam, checksumParam };
}

export const ZSTD_MISSING =
  "zstd compression needs Node.js ≥ 22.15 (built-in zstd, as in the single binary) or the zstd program on PATH (Debian/Ubuntu: apt install zstd); this runtime has neither";

/**
 * The zstd program's argv to compress at `level` or to decompress; quiet, stdin to stdout. With
 * more than one core, as many compression threads as cores (-T): a dump's server backend rarely
 * keeps a second core busy, and on the idle 2-core machine `-T2` took 14.3 s against 15.2 s for one
 * thread (1.1 GiB dump, docs/benchmarks.md). The output is still one frame with its checksum.
 */
export function zstdProgramArgs(mode: { compress: number; threads?: number } | "decompress"): string[] {
  if (mode === "decompress") return ["-d", "-c", "-q"];
  const threads = mode.threads ?? availableParallelism();
  return [`-${mode.compress}`, ...(threads > 1 ? [`-T${threads}`] : []), "--check", "-c", "-q"];
}

/** Where the codec comes from: `lib` is zlib and `path` is PATH, both replaceable for tests. */
export interface ZstdSource {
  lib?: unknown;
  path?: string;
}

type Codec = { program: string } | { builtin: BuiltinZstd };

function codec(source: ZstdSource): Codec {
  const program = findProgram("zstd", source.path ?? process.env.PATH ?? "");
  if (program) return { program };
  const builtin = builtinZstd(source.lib ?? zlib);
  if (builtin) return { builtin };
  throw new OperationError(ZSTD_MISSING);
}

export function zstdCompressor(level: number, source: ZstdSource = {}): Duplex {
  const c = codec(source);
  if ("program" in c) return programDuplex({ file: c.program, args: zstdProgramArgs({ compress: level }) });
  return c.builtin.compress({ params: { [c.builtin.levelParam]: level, [c.builtin.checksumParam]: 1 }, chunkSize: 128 * 1024 });
}

export function zstdDecompressor(source: ZstdSource = {}): Duplex {
  const c = codec(source);
  if ("program" in c) return programDuplex({ file: c.program, args: zstdProgramArgs("decompress") });
  return c.builtin.decompress({ params: {}, chunkSize: 256 * 1024 });
}

/**
 * A zstd file's content read by the program itself (half the pipe traffic of feeding it through
 * this process), or null when there is no program: the caller feeds the file to zstdDecompressor.
 */
export function zstdProgramReading(path: string, source: ZstdSource = {}): Readable | null {
  const program = findProgram("zstd", source.path ?? process.env.PATH ?? "");
  return program ? programOutput({ file: program, args: [...zstdProgramArgs("decompress"), "--", path] }) : null;
}
