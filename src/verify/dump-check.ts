import type { Sidecar } from "../catalog/sidecar.js";
import { endsWithTrailer, MYSQL_DUMP_TRAILER, PG_DUMP_TRAILER, PG_DUMPALL_TRAILER, type Trailer } from "../sources/dump-trailer.js";

/** The completion line a plain dump described by `sidecar` must end with; null when there is none to check. */
export function expectedTrailer(sidecar: Sidecar): Trailer | null {
  if (sidecar.dump_format !== "plain") return null;
  if (sidecar.instance.type === "postgres") return sidecar.kind === "globals" ? PG_DUMPALL_TRAILER : PG_DUMP_TRAILER;
  if (sidecar.instance.type === "mysql") return MYSQL_DUMP_TRAILER;
  return null;
}

/** null when the tail ends with the tool's completion trailer, else why the dump is not whole. */
export function trailerProblem(sidecar: Sidecar, tail: Buffer | undefined): string | null {
  const trailer = expectedTrailer(sidecar);
  if (!trailer || endsWithTrailer(trailer, tail)) return null;
  const last = (tail ?? Buffer.alloc(0)).toString("utf8").trimEnd().split("\n").at(-1) ?? "";
  return `the dump does not end with "${trailer.text}" but with ${JSON.stringify(last.slice(0, 120))}: it was cut short`;
}
