import { randomBytes } from "node:crypto";
import type { PgTool } from "../sources/postgres/tools.js";
import { OperationError } from "../util/errors.js";
import { parseVersion, psqlRestrictProblem } from "./versions.js";

/**
 * psql reads a plain dump in restricted mode: the first line it gets is `\restrict KEY` with a
 * key made here at random, so every later meta-command (`\!`, `\o`, `\copy … program`, `\i`,
 * `\w`, `\setenv`, `\gexec`, `\connect`, …) is refused; only `\unrestrict KEY` is accepted, and
 * an archive cannot know this key. A forged archive therefore cannot run a command or touch a
 * file on this machine through psql.
 *
 * Dumps of pg_dump 13.22/14.19/15.14/16.10/17.6 and later carry their own `\restrict K` (after
 * the header comments) and `\unrestrict K` (at the end). Inside our restricted session the first
 * would be an error and the second a wrong key, so exactly those two lines are dropped: the
 * `\restrict` only where pg_dump writes it (before any statement), the `\unrestrict` only with
 * that same key. Dropping them never lifts the restriction.
 */
export function restrictKey(): string {
  return randomBytes(32).toString("hex");
}

/** The dump as psql will read it: our `\restrict` first, the dump's own pair removed. */
export async function* restrictedPsqlInput(dump: AsyncIterable<Buffer>, key: string): AsyncGenerator<Buffer> {
  yield Buffer.from(`\\restrict ${key}\n`);
  yield* withoutDumpRestrict(dump);
}

/** How far into the dump pg_dump's `\restrict` line can be (after a few header comments). */
const PREAMBLE_LIMIT = 64 * 1024;
const KEY_LINE = /^\\restrict ([A-Za-z0-9]+)\r?$/;

/** The dump without pg_dump's own `\restrict K` / `\unrestrict K` lines; everything else unchanged. */
export async function* withoutDumpRestrict(dump: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const iterator = dump[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  let key: string | null = null;
  // Preamble: only blank and comment lines may come before pg_dump's \restrict.
  for (;;) {
    const split = scanPreamble(head);
    if (split.done) {
      if (split.keyLine) {
        key = split.keyLine.key;
        head = Buffer.concat([head.subarray(0, split.keyLine.start), head.subarray(split.keyLine.end)]);
      }
      break;
    }
    const next = await iterator.next();
    if (next.done) {
      const last = scanPreamble(head, true);
      if (last.keyLine) {
        key = last.keyLine.key;
        head = Buffer.concat([head.subarray(0, last.keyLine.start), head.subarray(last.keyLine.end)]);
      }
      if (head.length > 0) yield head;
      return;
    }
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  if (key === null) {
    if (head.length > 0) yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    return;
  }
  // After the preamble: drop the one line "\unrestrict <key>", wherever it is. One chunk is held
  // back (not copied) so the line is found across a chunk boundary; only a chunk pair the line
  // straddles is joined, so the dump is not copied chunk by chunk.
  const needle = Buffer.from(`\n\\unrestrict ${key}`);
  let pending: Buffer = head;
  let found = false;
  for (;;) {
    const next = await iterator.next();
    const chunk = next.done ? null : next.value;
    if (chunk?.length === 0) continue;
    if (!found) {
      if (chunk && straddles(pending, chunk, needle)) {
        pending = Buffer.concat([pending, chunk]);
        continue;
      }
      const cut = withoutLine(pending, needle, chunk ? chunk[0] : undefined);
      if (cut) {
        pending = cut;
        found = true;
      }
    }
    if (pending.length > 0) yield pending;
    if (!chunk) return;
    pending = chunk;
  }
}

/**
 * Whether the line may start in `before` and go on in `after`: `needle` starts in the last bytes
 * of `before` and matches as far as the bytes of both go (a short `after` may end mid-needle).
 */
function straddles(before: Buffer, after: Buffer, needle: Buffer): boolean {
  const reach = needle.length - 1;
  const edge = before.subarray(Math.max(0, before.length - reach));
  const joint = Buffer.concat([edge, after.subarray(0, reach)]);
  for (let at = joint.indexOf(needle[0] ?? 0x0a); at >= 0 && at < edge.length; at = joint.indexOf(needle[0] ?? 0x0a, at + 1)) {
    const length = Math.min(needle.length, joint.length - at);
    if (joint.compare(needle, 0, length, at, at + length) === 0) return true;
  }
  return false;
}

const isNewline = (byte: number | undefined) => byte === 0x0a || byte === 0x0d;

/**
 * `buf` without its first whole `\n\unrestrict KEY` line (the line's own newline before it is
 * kept), or null. `nextByte` is the byte after `buf` (undefined at the end of the dump).
 */
function withoutLine(buf: Buffer, needle: Buffer, nextByte: number | undefined): Buffer | null {
  for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1)) {
    const after = at + needle.length;
    if (after === buf.length ? nextByte === undefined || isNewline(nextByte) : isNewline(buf[after])) {
      return Buffer.concat([buf.subarray(0, at + 1), buf.subarray(after)]);
    }
  }
  return null;
}

interface PreambleScan {
  /** The first statement (or the limit) was reached: no more input is needed. */
  done: boolean;
  keyLine: { key: string; start: number; end: number } | null;
}

function scanPreamble(head: Buffer, atEnd = false): PreambleScan {
  let start = 0;
  while (start < head.length) {
    const nl = head.indexOf(0x0a, start);
    if (nl < 0 && !atEnd) return { done: head.length > PREAMBLE_LIMIT, keyLine: null };
    const end = nl < 0 ? head.length : nl + 1;
    const line = head.subarray(start, nl < 0 ? head.length : nl).toString("latin1");
    const match = KEY_LINE.exec(line);
    if (match?.[1]) return { done: true, keyLine: { key: match[1], start, end } };
    if (line.trim() !== "" && !line.startsWith("--")) return { done: true, keyLine: null };
    start = end;
    if (start > PREAMBLE_LIMIT) return { done: true, keyLine: null };
  }
  return { done: atEnd, keyLine: null };
}

/** Refuses a psql without restricted mode before anything is touched (plain dumps and globals). */
export function requireRestrictedPsql(psql: PgTool): void {
  const version = parseVersion(psql.version.text);
  const problem = version ? psqlRestrictProblem(version) : `could not tell the version of ${psql.file}, so whether it has restricted mode (\\restrict)`;
  if (problem) throw new OperationError(`${problem} (found ${psql.file}); nothing was changed`);
}
