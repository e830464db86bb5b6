import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { CompressionSpec } from "../archive/compressor.js";
import { createCompressor } from "../archive/compressor.js";
import { TarGzWriter, writeTarGz } from "../archive/tar-gz.js";
import { createSpoolCipher, type SpoolCipher } from "../crypto/spool.js";
import { ZipWriter } from "../archive/zip.js";
import type { ContentEntry } from "../archive/entry.js";
import type { Packing } from "../config/packing.js";
import { feedCommand } from "../restore/feed.js";
import { describeError, OperationError } from "../util/errors.js";
import { ownerTag } from "../util/owner.js";
import { ioFailure } from "../util/io-error.js";
import { formatCommand, startStreaming, type Command, type StreamingChild } from "../util/process.js";
import { endsWithTrailer, type Trailer } from "./dump-trailer.js";
import { DumpWatch } from "./dump-watch.js";
import type { ProduceContext } from "./source.js";

/** One dump command whose stdout becomes one archive entry. */
export interface DumpSpec {
  command: Command;
  /** `<db>.sql` or `<db>.dump`. */
  entryName: string;
  /** Already compressed (pg_dump's custom format): stored as is in a zip. */
  store: boolean;
  packing: Packing;
  /** stderr lines that mean failure even when the exit code is 0 (mysqldump's PROCESS line …). */
  failureLines: readonly RegExp[];
  /** stderr lines kept as warnings in the sidecar and the report. */
  warningLines: readonly RegExp[];
  /** How a whole dump is told from one cut short: its last line, or a reader that must get through all of it. */
  completion: DumpCompletion;
}

/**
 * A plain dump ends with its tool's trailer line; a custom-format dump has none, so a copy of
 * the stream goes to `reader` (pg_restore writing to /dev/null), which fails on a cut one.
 */
export type DumpCompletion = { trailer: Trailer } | { reader: Command };

export interface DumpResult {
  contents: ContentEntry[];
  warnings: string[];
}

/**
 * Runs the dump and streams its stdout into the archive: into the zip entry directly (never
 * through memory or a temporary copy); for tar.gz, which needs each size first, spooled to a
 * 0600 file under ctx.scratchDir. Success only if the child exited 0 after its stream ended and
 * stderr holds no failure line.
 */
export async function dumpToArchive(spec: DumpSpec, ctx: ProduceContext): Promise<DumpResult> {
  const failures: string[] = [];
  const warnings: string[] = [];
  const onStderrLine = (line: string) => {
    if (spec.failureLines.some((re) => re.test(line))) failures.push(ctx.redactor.redact(line));
    else if (spec.warningLines.some((re) => re.test(line))) warnings.push(ctx.redactor.redact(line));
  };
  ctx.logger.debug({ command: ctx.redactor.redact(formatCommand(spec.command)) }, "dump started");
  const tool = spec.command.file.split("/").pop() ?? spec.command.file;
  const reader = "reader" in spec.completion ? startReader(spec.completion.reader, ctx) : null;
  const watch = new DumpWatch(reader?.input);
  let contents: ContentEntry[];
  try {
    const into = spec.packing.format === "zip" ? streamIntoZip : spec.packing.format === "zst" ? streamCompressed : spoolIntoTar;
    contents = await into(spec, ctx, watch, onStderrLine);
  } catch (err) {
    await reader?.stop(err);
    throw err;
  }
  if (failures.length > 0) {
    await reader?.stop(new Error("the dump failed"));
    throw new OperationError(`${tool} exited 0 but reported a failure, so the dump cannot be trusted:\n${failures.slice(0, 10).join("\n")}`);
  }
  if ("trailer" in spec.completion && !endsWithTrailer(spec.completion.trailer, watch.tail())) {
    // The last line itself is not quoted: it is the database's data.
    throw new OperationError(`${tool} exited 0 but the dump does not end with "${spec.completion.trailer.text}": it was cut short, so it was not kept`);
  }
  if (reader) {
    const problem = await reader.verdict;
    if (problem) throw new OperationError(`${tool} exited 0 but the custom-format dump is not whole (${problem}): it was cut short, so it was not kept`);
  }
  return { contents, warnings };
}

interface Reader {
  /** Where the copy of the dump goes. */
  input: PassThrough;
  /** null once the reader got through the whole dump, else what it said. */
  verdict: Promise<string | null>;
  /** The dump failed: stop the reader (killed before it sees an end) and wait for it. */
  stop(reason: unknown): Promise<void>;
}

/** A second reader of the dump, fed by DumpWatch as the dump streams by (no spool, no second pass). */
function startReader(command: Command, ctx: ProduceContext): Reader {
  const input = new PassThrough();
  const name = command.file.split("/").pop() ?? command.file;
  const verdict = feedCommand(command, input, { signal: ctx.signal, redactor: ctx.redactor, mayStopEarly: true }).then(
    () => null,
    (err: unknown) => `${name} could not read it to the end: ${describeError(err)}`,
  );
  return {
    input,
    verdict,
    async stop(reason) {
      input.destroy(reason instanceof Error ? reason : new Error(String(reason)));
      await verdict;
    },
  };
}

/**
 * Waits for the consumer (archive writer) and the child. Whichever fails first stops the other:
 * a child that died may leave its stdout destroyed without an end, so the consumer is not
 * awaited then (runUnit's abort closes the output).
 */
async function both(child: StreamingChild, consumer: Promise<unknown>, stopConsumer: () => void): Promise<void> {
  type Settled = { who: "child" | "consumer"; ok: boolean; err?: unknown };
  const exited = child.done.then(
    (): Settled => ({ who: "child", ok: true }),
    (err: unknown): Settled => ({ who: "child", ok: false, err }),
  );
  const consumed = consumer.then(
    (): Settled => ({ who: "consumer", ok: true }),
    (err: unknown): Settled => ({ who: "consumer", ok: false, err }),
  );
  const first = await Promise.race([exited, consumed]);
  if (!first.ok && first.who === "consumer") {
    // Unread output would keep the child's streams open: drop it, then stop the child.
    child.stdout.destroy();
    child.kill();
    await exited;
    throw first.err;
  }
  if (!first.ok) {
    stopConsumer();
    throw first.err;
  }
  const second = await (first.who === "child" ? consumed : exited);
  if (!second.ok) {
    if (second.who === "consumer") {
      child.stdout.destroy();
      child.kill();
    }
    throw second.err;
  }
}

async function streamIntoZip(spec: DumpSpec, ctx: ProduceContext, watch: DumpWatch, onStderrLine: (line: string) => void): Promise<ContentEntry[]> {
  const zip = new ZipWriter(ctx.out, spec.packing.compression.level);
  // Started only now that the zip is ready to consume it: the child never waits on a full pipe with its snapshot open.
  const child = startStreaming(spec.command, { signal: ctx.signal, redactor: ctx.redactor, onStderrLine });
  // The watch fails with the child's stdout; the zip sees that as its entry failing.
  pipeline(child.stdout, watch).catch(() => undefined);
  zip.addStream(spec.entryName, watch, { store: spec.store });
  try {
    await both(child, zip.finalize(), () => zip.abort());
  } catch (err) {
    zip.abort();
    throw err;
  }
  return zip.contents;
}

/**
 * A lone compressed stream (`<db>.sql.zst`): the dump goes through the compressor straight into
 * the archive, no container and no spool; the one entry's size is the bytes that went in.
 */
async function streamCompressed(spec: DumpSpec, ctx: ProduceContext, watch: DumpWatch, onStderrLine: (line: string) => void): Promise<ContentEntry[]> {
  const compressor = createCompressor(spec.packing.compression);
  const entry: ContentEntry = { name: spec.entryName, size: 0, type: "file" };
  watch.on("data", (chunk: Buffer) => (entry.size += chunk.length));
  const child = startStreaming(spec.command, { signal: ctx.signal, redactor: ctx.redactor, onStderrLine });
  const written = pipeline(child.stdout, watch, compressor, ctx.out);
  await both(child, written, () => compressor.destroy());
  return [entry];
}

async function spoolIntoTar(spec: DumpSpec, ctx: ProduceContext, watch: DumpWatch, onStderrLine: (line: string) => void): Promise<ContentEntry[]> {
  // The owner tag lets the next backup remove a spool this run leaves if it is killed.
  const spool = await mkdtemp(join(ctx.scratchDir, `.vya-spool-${ownerTag()}-`));
  try {
    const file = join(spool, spec.entryName);
    const sink = createWriteStream(file, { flags: "wx", mode: 0o600 });
    let sinkError: unknown;
    sink.on("error", (err) => (sinkError = err));
    // With encryption configured the spool holds ciphertext only (crypto/spool.ts).
    const cipher = ctx.encryptSpool ? await createSpoolCipher() : null;
    const child = startStreaming(spec.command, { signal: ctx.signal, redactor: ctx.redactor, onStderrLine });
    const spooled = (cipher ? pipeline(child.stdout, watch, cipher.counter, cipher.encrypt(), sink) : pipeline(child.stdout, watch, sink)).catch((err: unknown) => {
      throw sinkError === undefined ? err : ioFailure("spooling the dump to", file, sinkError);
    });
    await both(child, spooled, () => sink.destroy());
    const compression = spec.packing.compression;
    if (cipher) return await tarGzOfEncryptedSpool(cipher, file, spec.entryName, ctx, compression);
    const result = await writeTarGz({ root: spool, entries: [spec.entryName], out: ctx.out, compression, signal: ctx.signal });
    return result.contents;
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}

/** The one entry of an encrypted spool, decrypted as it streams into the tar.gz. */
async function tarGzOfEncryptedSpool(cipher: SpoolCipher, file: string, entryName: string, ctx: ProduceContext, compression: CompressionSpec): Promise<ContentEntry[]> {
  const tar = new TarGzWriter(ctx.out, compression, ctx.signal);
  try {
    const { stat, body } = await cipher.open(file);
    await tar.addFile(entryName, stat, body);
    await tar.finalize();
    return tar.contents;
  } catch (err) {
    tar.abort();
    throw err;
  }
}
