import { join, sep } from "node:path";
import { OperationError } from "../util/errors.js";

/** An archive entry that would land outside the restore target; nothing is written. */
export class UnsafeEntryError extends OperationError {
  readonly entry: string;
  readonly reason: string;
  constructor(entry: string, reason: string) {
    super(`${describeUnsafe(entry, reason)}; nothing was restored`);
    this.entry = entry;
    this.reason = reason;
  }
}

/** The entry's name JSON-escaped: a newline or an ESC sequence never reaches a terminal or a log raw. */
export function describeUnsafe(entry: string, reason: string): string {
  return `unsafe archive entry ${JSON.stringify(entry)}: ${reason}`;
}

/** C0 controls, DEL and C1 controls: a newline forges log lines, ESC drives the terminal. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The path segments of an entry name, refusing whatever could leave the target: absolute
 * paths, drive letters, ".." segments, backslashes (a separator on other systems), NUL and
 * other control characters (refused rather than escaped: no file name needs them).
 * "./a//b/" becomes ["a", "b"]. An empty result is the archive root itself.
 */
export function entrySegments(name: string): string[] {
  if (name.includes("\0")) throw new UnsafeEntryError(name, "the name contains a NUL byte");
  const control = CONTROL.exec(name);
  if (control) throw new UnsafeEntryError(name, `the name contains a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")})`);
  if (name.includes("\\")) throw new UnsafeEntryError(name, "the name contains a backslash");
  if (name.startsWith("/")) throw new UnsafeEntryError(name, "absolute path");
  if (/^[A-Za-z]:/.test(name)) throw new UnsafeEntryError(name, "absolute path (drive letter)");
  const segments = name.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw new UnsafeEntryError(name, 'the path contains ".."');
  return segments;
}

/** The absolute destination of `segments` below `root`, checked to stay inside it. */
export function destinationOf(root: string, segments: readonly string[], name: string): string {
  const path = join(root, ...segments);
  const inside = root.endsWith(sep) ? root : root + sep;
  if (path !== root && !path.startsWith(inside)) throw new UnsafeEntryError(name, `it resolves to ${path}, outside ${root}`);
  return path;
}

/** Every proper ancestor of a segment list, as "/"-joined keys: a/b/c -> a, a/b. */
export function ancestorKeys(segments: readonly string[]): string[] {
  const keys: string[] = [];
  for (let i = 1; i < segments.length; i++) keys.push(segments.slice(0, i).join("/"));
  return keys;
}
