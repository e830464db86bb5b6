/**
 * What a failed restore client (psql, pg_restore, mariadb/mysql) said, cut down to its error
 * lines with the statement and row text left out: the reason a restore failed is shown, the
 * table data it was loading never is (errors go to terminals, logs and e-mails).
 */
const ERROR_LINE = /\b(ERROR|FATAL|PANIC)\b|\berror:/;
/** psql's follow-up lines quote rows and statements: "DETAIL: Failing row contains (…)", "CONTEXT: COPY t, line 3: …", "LINE 1: …". */
const FOLLOW_UP = /^(\S+:\s*)?(DETAIL|CONTEXT|LINE \d+|HINT|QUERY|STATEMENT|WHERE):/;

/** Fragments of an error line that carry row values or statement text. */
const DATA_FRAGMENTS: readonly [RegExp, string][] = [
  // MariaDB/MySQL syntax errors quote the statement from the error on (often many rows).
  [/\bnear '.*$/, "near … (statement text left out)"],
  [/(Duplicate entry )'.*?'( for key)/, "$1'…'$2"],
  [/(\bvalue: )'.*?'( for column)/, "$1'…'$2"],
  // PostgreSQL: invalid input syntax for type integer: "abc"; value too long; etc.
  [/(for type [^:]+: )".*"\s*$/, '$1"…"'],
  [/(Failing row contains ).*$/, "$1(…)"],
  [/(Key \(.*?\)=)\(.*?\)/, "$1(…)"],
];

const MAX_LINES = 5;
const MAX_LENGTH = 300;

/** Collects a client's error lines as they arrive (the first few count: later ones are fallout). */
export class ClientErrors {
  private readonly picked: string[] = [];
  private readonly last: string[] = [];

  line(line: string): void {
    const text = line.trimEnd();
    if (ERROR_LINE.test(text) && !FOLLOW_UP.test(text.replace(/^psql:[^ ]*:\d+:\s*/, ""))) {
      if (this.picked.length < MAX_LINES) this.picked.push(scrub(text));
    } else if (this.picked.length === 0 && text.trim() !== "" && !FOLLOW_UP.test(text)) {
      // No error line (yet): the client's last words, for a crash or a kill.
      this.last.push(scrub(text));
      if (this.last.length > 2) this.last.shift();
    }
  }

  summary(): string {
    return (this.picked.length > 0 ? this.picked : this.last).join("\n");
  }
}

export function clientErrorSummary(stderr: string): string {
  const errors = new ClientErrors();
  for (const line of stderr.split("\n")) errors.line(line);
  return errors.summary();
}

function scrub(line: string): string {
  const clean = DATA_FRAGMENTS.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), line);
  return clean.length > MAX_LENGTH ? `${clean.slice(0, MAX_LENGTH)}…` : clean;
}
