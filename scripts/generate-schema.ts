// Writes config/vya-backupdb.schema.json from the zod schema, for editors' autocompletion.
import { writeFileSync } from "node:fs";
import { z } from "zod";
import { configSchema } from "../src/config/schema.js";

const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
const out = { ...schema, $id: "https://vya-backupdb/config.schema.json", title: "vya-backupdb configuration" };
writeFileSync(new URL("../config/vya-backupdb.schema.json", import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log("wrote config/vya-backupdb.schema.json");
