import { OperationError } from "../util/errors.js";
import type { Redactor } from "../util/redact.js";
import type { DatabaseProperties, Sidecar } from "./sidecar.js";

/**
 * The one pass that keeps secrets out of a sidecar without corrupting it. A sidecar is read
 * back by list, verify, restore and retention, so its structure is never rewritten:
 * - free text (warnings) is redacted like any message;
 * - what the tool makes itself (enums, digests, timestamps, ids, sizes, tool names and parsed
 *   versions, the archive's file name built from the checked names) is left alone: a password
 *   such as "postgres" that happens to occur there reveals nothing;
 * - names taken from the config, the server or the file system (server, instance, database,
 *   patterns, entry and table names) are recorded faithfully or not at all: if a secret occurs in
 *   one, the unit fails with the field's path (never the value) instead of writing a sidecar
 *   that either leaks the secret or no longer describes the backup.
 */
export function sealSidecar(sidecar: Sidecar, redactor: Redactor): Sidecar {
  const names: [string, string | null | undefined][] = [
    ["server.name", sidecar.server.name],
    ["server.location", sidecar.server.location],
    ["instance.name", sidecar.instance.name],
    ["database", sidecar.database],
    ...(sidecar.patterns?.paths ?? []).map((p, i): [string, string] => [`patterns.paths[${i}]`, p]),
    ...(sidecar.patterns?.exclude ?? []).map((p, i): [string, string] => [`patterns.exclude[${i}]`, p]),
    ...sidecar.contents.map((e, i): [string, string] => [`contents[${i}].name`, e.name]),
    ...(sidecar.tables ?? []).flatMap((t, i): [string, string | undefined][] => [
      [`tables[${i}].schema`, t.schema],
      [`tables[${i}].name`, t.name],
    ]),
  ];
  const found = names.find(([, value]) => typeof value === "string" && redactor.holds(value));
  if (found) {
    throw new OperationError(
      `the sidecar's ${found[0]} holds a configured secret (a password that equals or is part of a name): refusing to write a backup whose catalogue entry would leak it or have to be altered; change that password`,
    );
  }
  // Database properties are an extra: one holding a secret (an owner "postgres" whose password is
  // "postgres") is left out with a warning rather than failing the backup.
  const property = databasePropertyValues(sidecar.database_properties).find(([, value]) => typeof value === "string" && redactor.holds(value));
  const { database_properties: props, ...rest } = sidecar;
  const kept = property ? rest : { ...rest, ...(props ? { database_properties: props } : {}) };
  const warnings = property ? [...sidecar.warnings, `the database's properties (owner, grants, comment, settings) were not recorded: ${property[0]} holds a configured secret; restore will leave them at the server's defaults`] : sidecar.warnings;
  return { ...kept, warnings: warnings.map((w) => redactor.redact(w)) };
}

/** Role names, comment and settings recorded for the database: restored as they are, so never redacted. */
function databasePropertyValues(props: DatabaseProperties | undefined): [string, string | null][] {
  if (!props) return [];
  if (props.engine === "mysql") return [["database_properties.character_set", props.character_set], ["database_properties.collation", props.collation]];
  return [
    ["database_properties.owner", props.owner],
    ["database_properties.comment", props.comment],
    ...(props.acl ?? []).map((a, i): [string, string | null] => [`database_properties.acl[${i}].grantee`, a.grantee]),
    ...props.settings.map((v, i): [string, string] => [`database_properties.settings[${i}]`, v]),
    ...props.role_settings.flatMap((r, i): [string, string][] => [[`database_properties.role_settings[${i}].role`, r.role], ...r.settings.map((v, j): [string, string] => [`database_properties.role_settings[${i}].settings[${j}]`, v])]),
  ];
}
