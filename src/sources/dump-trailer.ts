/**
 * The last line each dump tool writes when it finished. A dump without it was cut short (the
 * tool killed, a disk full, a pipe closed) even if the tool exited 0: the backup checks it while
 * streaming, verify checks it again in the archive.
 */
export interface Trailer {
  pattern: RegExp;
  /** How the line reads, for messages. */
  text: string;
}

/** pg_dump ends with "--\n-- PostgreSQL database dump complete\n--\n", since 15.14/16.10/17.6 then "\unrestrict KEY". */
function pgTrailer(words: string): RegExp {
  return new RegExp(`-- PostgreSQL database ${words}\\s*\\n--\\s*(\\\\unrestrict [^\\n]*\\s*)?$`);
}

export const PG_DUMP_TRAILER: Trailer = { pattern: pgTrailer("dump complete"), text: "-- PostgreSQL database dump complete" };
export const PG_DUMPALL_TRAILER: Trailer = { pattern: pgTrailer("cluster dump complete"), text: "-- PostgreSQL database cluster dump complete" };
export const MYSQL_DUMP_TRAILER: Trailer = { pattern: /-- Dump completed( on [^\n]*)?\s*$/, text: "-- Dump completed on …" };

/** Bytes of a dump's end worth keeping to find its trailer (it is under 200 bytes). */
export const TRAILER_WINDOW = 4096;

export function endsWithTrailer(trailer: Trailer, tail: Buffer | undefined): boolean {
  return trailer.pattern.test((tail ?? Buffer.alloc(0)).toString("utf8"));
}
