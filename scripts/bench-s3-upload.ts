/**
 * The tool's S3 upload alone (S3Storage.put: multipart plan, hashing, verification), for
 * scripts/bench-s3.sh: bundled with esbuild and run under /usr/bin/time so its peak RSS is the
 * upload's own. Usage: node upload.mjs ARCHIVE ENDPOINT  (the archive's sidecar must lie beside it)
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { remoteSchema } from "../src/config/schema.js";
import { openRemote } from "../src/storage/registry.js";
import { Redactor } from "../src/util/redact.js";

const [archive, endpoint] = process.argv.slice(2);
if (!archive || !endpoint) throw new Error("usage: upload.mjs ARCHIVE ENDPOINT");
const sidecar = JSON.parse(readFileSync(`${archive}.json`, "utf8")) as { archive: { sha256: string } };
const remote = remoteSchema.parse({ name: "bench", type: "s3", bucket: "bench", endpoint, force_path_style: true, access_key_id: "S3RVER", secret_access_key: "S3RVER" });
const storage = await openRemote(remote, { redactor: new Redactor() });
const started = Date.now();
await storage.put(`upload-only/${basename(archive)}`, { file: archive }, { sha256: sidecar.archive.sha256 });
console.log(Date.now() - started);
await storage.close();
