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
  // After the preamble: drop the one line "\unrestrict <key>", wherever it is.
  const needle = Buffer.from(`\n\\unrestrict ${key}`);
  let carry: Buffer = head;
  let found = false;
  for (let next = await iterator.next(); ; next = await iterator.next()) {
    const atEnd = next.done === true;
    let buf: Buffer = atEnd ? carry : carry.length === 0 ? next.value : Buffer.concat([carry, next.value]);
    if (!found) {
      const at = buf.indexOf(needle);
      const after = at >= 0 ? at + needle.length : -1;
      if (at >= 0 && (after === buf.length ? atEnd : buf[after] === 0x0a || buf[after] === 0x0d)) {
        buf = Buffer.concat([buf.subarray(0, at + 1), buf.subarray(after)]);
        found = true;
      } else if (!atEnd) {
        // Keep what could be the start of the needle (and the byte after it) for the next chunk.
        const keep = Math.min(buf.length, needle.length + 1);
        if (buf.length > keep) yield buf.subarray(0, buf.length - keep);
        carry = buf.subarray(buf.length - keep);
        continue;
      }
    }
    if (buf.length > 0) yield buf;
    carry = Buffer.alloc(0);
    if (atEnd) return;
  }
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
