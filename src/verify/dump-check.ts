import type { Sidecar } from "../catalog/sidecar.js";

export interface Trailer {
  pattern: RegExp;
  /** How the line reads, for messages. */
  text: string;
}

/**
 * The last line each dump tool writes when it finished: a dump without it was cut short
 * (pg_dump killed, a disk full) even if the archive around it is intact.
 */
export function expectedTrailer(sidecar: Sidecar): Trailer | null {
  if (sidecar.dump_format !== "plain") return null;
  if (sidecar.instance.type === "postgres") {
    return sidecar.kind === "globals"
      ? { pattern: pgTrailer("cluster dump complete"), text: "-- PostgreSQL database cluster dump complete" }
      : { pattern: pgTrailer("dump complete"), text: "-- PostgreSQL database dump complete" };
  }
  if (sidecar.instance.type === "mysql") return { pattern: /-- Dump completed( on [^\n]*)?\s*$/, text: "-- Dump completed on …" };
  return null;
}

/** pg_dump ends with "--\n-- PostgreSQL database dump complete\n--\n", since 15.14/16.10/17.6 then "\unrestrict KEY". */
function pgTrailer(words: string): RegExp {
  return new RegExp(`-- PostgreSQL database ${words}\\s*\\n--\\s*(\\\\unrestrict [^\\n]*\\s*)?$`);
}

/** null when the tail ends with the tool's completion trailer, else why the dump is not whole. */
export function trailerProblem(sidecar: Sidecar, tail: Buffer | undefined): string | null {
  const trailer = expectedTrailer(sidecar);
  if (!trailer) return null;
  const text = (tail ?? Buffer.alloc(0)).toString("utf8");
  if (trailer.pattern.test(text)) return null;
  const last = text.trimEnd().split("\n").at(-1) ?? "";
  return `the dump does not end with "${trailer.text}" but with ${JSON.stringify(last.slice(0, 120))}: it was cut short`;
}
