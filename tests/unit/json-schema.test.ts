import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildJsonSchema } from "../../src/config/json-schema.js";

describe("config/vya-backupdb.schema.json", () => {
  it("is up to date with the zod schema (run: npm run schema)", () => {
    const committed = JSON.parse(readFileSync(new URL("../../config/vya-backupdb.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildJsonSchema())));
  });

  it("describes instances as a choice between the three types", () => {
    const schema = buildJsonSchema() as { properties: { instances: { items: { oneOf?: unknown[]; anyOf?: unknown[] } } } };
    const items = schema.properties.instances.items;
    expect((items.oneOf ?? items.anyOf ?? []).length).toBe(3);
  });
});
