// Writes config/vya-backupdb.schema.json from the zod schema, for editors' autocompletion.
import { writeFileSync } from "node:fs";
import { buildJsonSchema } from "../src/config/json-schema.js";

writeFileSync(new URL("../config/vya-backupdb.schema.json", import.meta.url), `${JSON.stringify(buildJsonSchema(), null, 2)}\n`);
console.log("wrote config/vya-backupdb.schema.json");
