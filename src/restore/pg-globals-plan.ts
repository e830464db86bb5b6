import { identName, splitScript, tokenize, type SqlToken } from "./sql-statements.js";

/**
 * Which statements of a pg_dumpall --globals-only script may run on the target server. Roles
 * are the point: a statement about the role this restore connects as never runs (it would
 * change the password the next step logs in with), and statements about any other role that
 * exists already run only when asked (overwrite). Tablespaces and settings pass; psql
 * meta-commands other than \restrict / \unrestrict, and statement kinds pg_dumpall does not
 * write, are refused or skipped.
 */
export interface GlobalsTarget {
  /** Roles on the target server. */
  existing: ReadonlySet<string>;
  /** session_user and current_user of the restoring connection. */
  connecting: ReadonlySet<string>;
  overwrite: boolean;
}

export interface GlobalsPlan {
  /** Statements to run, in script order. */
  statements: string[];
  /** Roles a kept CREATE ROLE makes. */
  creates: string[];
  /** Existing roles that kept statements change (overwrite only). */
  changes: string[];
  /** Existing roles left as they are, and the connecting role(s) when the script names them. */
  skipped: string[];
  connectingNamed: string[];
  /** Statements of kinds pg_dumpall does not write (first words only: they may hold secrets). */
  unexpected: string[];
  /** Meta-commands other than \restrict and \unrestrict (their command word only). */
  metaCommands: string[];
}

const word = (t: SqlToken | undefined) => (t?.kind === "word" ? t.value.toUpperCase() : "");
/** Role specifications that are not a name: they stand for the connecting role or every role. */
const SPECIAL = new Set(["ALL", "CURRENT_USER", "SESSION_USER", "CURRENT_ROLE", "PUBLIC"]);

type Subject = { roles: string[]; special: boolean } | "pass" | "unexpected";

function roleAt(tokens: SqlToken[], i: number): { role: string | null; special: boolean } {
  const t = tokens[i];
  if (t?.kind === "word" && SPECIAL.has(t.value.toUpperCase())) return { role: null, special: true };
  return { role: identName(t), special: false };
}

/** The roles a statement changes ("pass": none; "unexpected": not a kind pg_dumpall writes). */
function subjectOf(tokens: SqlToken[]): Subject {
  const [a, b, c] = [word(tokens[0]), word(tokens[1]), word(tokens[2])];
  if (a === "SET") return b === "ROLE" || b === "SESSION" || b === "LOCAL" ? "unexpected" : "pass";
  if ((a === "CREATE" || a === "ALTER" || a === "DROP") && b === "TABLESPACE") return "pass";
  if ((a === "CREATE" || a === "ALTER" || a === "DROP") && (b === "ROLE" || b === "USER" || b === "GROUP")) {
    const at = a === "DROP" && c === "IF" ? 4 : 2;
    const { role, special } = roleAt(tokens, at);
    return { roles: role ? [role] : [], special: special || !role };
  }
  if (a === "COMMENT" || a === "SECURITY") {
    const on = tokens.findIndex((t) => word(t) === "ON");
    const kind = word(tokens[on + 1]);
    if (kind === "TABLESPACE") return "pass";
    if (kind !== "ROLE") return "unexpected";
    const { role, special } = roleAt(tokens, on + 2);
    return { roles: role ? [role] : [], special: special || !role };
  }
  if (a === "GRANT" || a === "REVOKE") {
    const from = tokens.findIndex((t, i) => i > 0 && word(t) === (a === "GRANT" ? "TO" : "FROM"));
    if (from < 0) return "unexpected";
    const roles: string[] = [];
    let special = false;
    for (let i = from + 1; i < tokens.length; i++) {
      const w = word(tokens[i]);
      if (w === "WITH" || w === "GRANTED" || w === "CASCADE" || w === "RESTRICT" || tokens[i]?.value === ";") break;
      if (tokens[i]?.value === "," || w === "GROUP") continue;
      const r = roleAt(tokens, i);
      if (r.special) special = true;
      else if (r.role) roles.push(r.role);
    }
    return { roles, special };
  }
  return "unexpected";
}

export function planGlobals(script: string, target: GlobalsTarget): GlobalsPlan {
  const plan: GlobalsPlan = { statements: [], creates: [], changes: [], skipped: [], connectingNamed: [], unexpected: [], metaCommands: [] };
  const once = (list: string[], name: string) => {
    if (!list.includes(name)) list.push(name);
  };
  for (const part of splitScript(script)) {
    if (part.kind === "meta") {
      const command = /^\\[A-Za-z!?]*/.exec(part.text)?.[0] ?? "\\";
      if (command !== "\\restrict" && command !== "\\unrestrict") once(plan.metaCommands, command);
      continue;
    }
    const tokens = tokenize(part.text);
    const subject = subjectOf(tokens);
    if (subject === "pass") {
      plan.statements.push(part.text);
      continue;
    }
    if (subject === "unexpected") {
      plan.unexpected.push(tokens.slice(0, 2).map((t) => (t.kind === "word" ? t.value.toUpperCase() : "…")).join(" "));
      continue;
    }
    const connecting = subject.roles.filter((r) => target.connecting.has(r));
    for (const r of connecting) once(plan.connectingNamed, r);
    // ALL / CURRENT_USER / PUBLIC and the like reach the connecting role: never run.
    if (subject.special || connecting.length > 0) continue;
    const existing = subject.roles.filter((r) => target.existing.has(r));
    if (existing.length > 0 && !target.overwrite) {
      for (const r of existing) once(plan.skipped, r);
      continue;
    }
    const creating = word(tokens[0]) === "CREATE";
    // CREATE of a role that exists would only fail: its ALTER carries the attributes.
    if (creating && existing.length > 0) continue;
    if (creating) for (const r of subject.roles) once(plan.creates, r);
    for (const r of existing) once(plan.changes, r);
    plan.statements.push(part.text);
  }
  return plan;
}
