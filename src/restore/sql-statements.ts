/**
 * A psql script split into statements, for the few scripts restore reads itself (pg_dumpall
 * --globals-only output). Knows what can hide a ";": '…' and E'…' literals, "…" identifiers,
 * $tag$…$tag$ bodies, -- and /* comments; and psql meta-commands (a line starting with "\"
 * between statements), returned apart so the caller decides about them.
 */
export interface ScriptPart {
  kind: "statement" | "meta";
  /** The statement without leading comments and blank lines, ";" included; or the meta line. */
  text: string;
}

export function splitScript(script: string): ScriptPart[] {
  const parts: ScriptPart[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  const pending = () => stripLeading(script.slice(start, i));
  while (i < n) {
    const c = script[i];
    const next = script[i + 1];
    if (c === "\\" && pending() === "") {
      const end = script.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      parts.push({ kind: "meta", text: script.slice(i, stop).trimEnd() });
      i = start = stop + 1;
    } else if (c === "-" && next === "-") {
      const end = script.indexOf("\n", i);
      i = end === -1 ? n : end + 1;
    } else if (c === "/" && next === "*") {
      const end = script.indexOf("*/", i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === "'") {
      const escapes = /[eE]$/.test(script.slice(Math.max(start, i - 1), i)) && !/[\w$]/.test(script[i - 2] ?? "");
      i = skipQuoted(script, i + 1, "'", escapes);
    } else if (c === '"') {
      i = skipQuoted(script, i + 1, '"', false);
    } else if (c === "$") {
      const tag = /^\$(?:[A-Za-z_][\w]*)?\$/.exec(script.slice(i))?.[0];
      if (tag && !/[\w$]/.test(script[i - 1] ?? "")) {
        const end = script.indexOf(tag, i + tag.length);
        i = end === -1 ? n : end + tag.length;
      } else i++;
    } else if (c === ";") {
      i++;
      parts.push({ kind: "statement", text: pending() });
      start = i;
    } else i++;
  }
  const rest = stripLeading(script.slice(start));
  if (rest !== "") parts.push({ kind: "statement", text: rest });
  return parts;
}

function skipQuoted(script: string, from: number, quote: string, backslashEscapes: boolean): number {
  let i = from;
  while (i < script.length) {
    const c = script[i];
    if (backslashEscapes && c === "\\") i += 2;
    else if (c === quote && script[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return i;
}

/** Drops leading whitespace and comments. */
function stripLeading(text: string): string {
  let t = text;
  for (;;) {
    const trimmed = t.replace(/^\s+/, "");
    if (trimmed.startsWith("--")) {
      const end = trimmed.indexOf("\n");
      t = end === -1 ? "" : trimmed.slice(end + 1);
    } else if (trimmed.startsWith("/*")) {
      const end = trimmed.indexOf("*/");
      t = end === -1 ? "" : trimmed.slice(end + 2);
    } else return trimmed;
  }
}

/** Words, "quoted identifiers" (unquoted, folded as PostgreSQL does) and literals of a statement. */
export interface SqlToken {
  kind: "word" | "ident" | "string" | "other";
  /** Words as written; "quoted identifiers" unquoted. */
  value: string;
}

export function tokenize(statement: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  const re = /\s+|--[^\n]*|"((?:[^"]|"")*)"|[eE]?'(?:[^'\\]|''|\\.)*'|([A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)|(.)/gsy;
  for (const m of statement.matchAll(re)) {
    const [all, quoted, word] = m;
    if (/^\s/.test(all) || all.startsWith("--")) continue;
    if (quoted !== undefined) tokens.push({ kind: "ident", value: quoted.replace(/""/g, '"') });
    else if (word !== undefined) tokens.push({ kind: "word", value: word });
    else if (all.endsWith("'")) tokens.push({ kind: "string", value: all });
    else tokens.push({ kind: "other", value: all });
  }
  return tokens;
}

/** The role name a token stands for: quoted as is, unquoted folded to lower case. */
export function identName(token: SqlToken | undefined): string | null {
  if (!token) return null;
  if (token.kind === "ident") return token.value;
  if (token.kind === "word") return token.value.toLowerCase();
  return null;
}
