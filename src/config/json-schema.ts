import { z } from "zod";
import { configSchema } from "./schema.js";

/** The JSON Schema editors use for completion, generated from the zod schema (never by hand). */
export function buildJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
  return { ...schema, $id: "https://vya-backupdb/config.schema.json", title: "vya-backupdb configuration" };
}
