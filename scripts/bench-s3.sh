#!/usr/bin/env bash
# S3 upload benchmark: `vya-backupdb backup` of a files instance holding one incompressible file
# (stored, compression_level 0) with one S3 remote, against a plain @aws-sdk/lib-storage upload of
# the same archive, both to s3rver on loopback, in the same run. Reports peak RSS of the CLI (the
# whole run: archiving and uploading) and upload throughput of both.
# The upload alone is measured in its own process (scripts/bench-s3-upload.ts) so its peak RSS is
# the upload's, not the archiving's.
# Usage: scripts/bench-s3.sh [size-in-MiB, default 2048]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-2048}"
work="${BENCH_DIR:-$PWD/.bench}/s3"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
[ -f dist/cli.js ] || npx tsup --silent

mkdir -p "$work/src"
if [ ! -f "$work/src/.complete-$size_mib" ]; then
  rm -f "$work"/src/*.bin "$work"/src/.complete-*
  head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$work/src/random.bin"
  touch "$work/src/.complete-$size_mib"
fi

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
rm -rf "$work/s3rver" "$work/out" && mkdir -p "$work/s3rver" "$work/out"
node_modules/.bin/s3rver -d "$work/s3rver" -a 127.0.0.1 -p "$port" -s --configure-bucket bench >/dev/null 2>&1 &
s3pid=$!
trap 'kill $s3pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done

cat > "$work/config.yaml" <<YAML
server: { name: bench }
storage:
  local: { path: $work/out/backups }
  remotes:
    - { name: s3rver, type: s3, bucket: bench, endpoint: "http://127.0.0.1:$port", force_path_style: true,
        access_key_id: S3RVER, secret_access_key: S3RVER, prefix: vya }
instances:
  - { id: 1, name: blob, type: files, paths: ["$work/src/random.bin"], compression_level: 0 }
YAML
sed -e '/^  remotes:/,/prefix: vya }/d' -e "s#$work/out/backups#$work/out/local#" "$work/config.yaml" > "$work/config-local.yaml"
mibps() { node -e "console.log(($1 / 1048576 / ($2 / 1000)).toFixed(1))"; }
secs() { node -e "console.log(($1 / 1000).toFixed(1))"; }
sync

# 1. The archive, locally only (its sidecar gives the sha256 the upload is verified against).
/usr/bin/time -f "%e %M" -o "$work/time-archive.txt" ./bin/vya-backupdb -c "$work/config-local.yaml" --log-level warn backup >/dev/null
read -r archive_s archive_kib < "$work/time-archive.txt"
archive=$(ls "$work"/out/local/bench/blob/*.tar.gz)
bytes=$(stat -c %s "$archive")

# 2. The tool's upload alone: S3Storage.put (plan, hashing, verification), bundled like the CLI.
node_modules/.bin/esbuild scripts/bench-s3-upload.ts --bundle --platform=node --format=esm --packages=external \
  --define:__VERSION__='"bench"' --log-level=warning --outfile=.bench-s3-upload.mjs
/usr/bin/time -f "%e %M" -o "$work/time-upload.txt" node ./.bench-s3-upload.mjs "$archive" "http://127.0.0.1:$port" > "$work/upload-ms.txt"
rm -f ./.bench-s3-upload.mjs
read -r _ upload_kib < "$work/time-upload.txt"
upload_ms=$(cat "$work/upload-ms.txt")

# 3. The same archive through the SDK alone: lib-storage Upload with its defaults (5 MiB parts, queue 4).
cat > ./.bench-plain-upload.mjs <<'JS'
import { createReadStream } from "node:fs";
import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const [file, endpoint] = process.argv.slice(2);
const client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED",
  credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
const started = Date.now();
await new Upload({ client, params: { Bucket: "bench", Key: "plain/archive", Body: createReadStream(file) } }).done();
console.log(Date.now() - started);
client.destroy();
JS
/usr/bin/time -f "%e %M" -o "$work/time-sdk.txt" node ./.bench-plain-upload.mjs "$archive" "http://127.0.0.1:$port" > "$work/sdk-ms.txt"
rm -f ./.bench-plain-upload.mjs
read -r _ sdk_kib < "$work/time-sdk.txt"
sdk_ms=$(cat "$work/sdk-ms.txt")

# 4. End to end: backup with the S3 remote (archive, then upload and verify, in one process).
/usr/bin/time -f "%e %M" -o "$work/time-vya.txt" ./bin/vya-backupdb -c "$work/config.yaml" --log-level info backup >/dev/null 2>"$work/vya-stderr.txt"
read -r vya_s vya_kib < "$work/time-vya.txt"
e2e_ms=$(grep '"copied to remote"' "$work/vya-stderr.txt" | node -e 'let t="";process.stdin.on("data",d=>t+=d).on("end",()=>console.log(JSON.parse(t.trim().split("\n")[0]).ms))')

printf 's3 benchmark, %s MiB archive to s3rver on loopback (%s)\n' "$((bytes / 1048576))" "$(nproc) cores, $(node --version)"
printf '  vya-backupdb S3 upload + verify      %6.1f s  %6s MiB/s  peak RSS %4d MiB\n' "$(secs "$upload_ms")" "$(mibps "$bytes" "$upload_ms")" "$((upload_kib / 1024))"
printf '  plain SDK Upload (lib-storage defaults) %6.1f s  %6s MiB/s  peak RSS %4d MiB\n' "$(secs "$sdk_ms")" "$(mibps "$bytes" "$sdk_ms")" "$((sdk_kib / 1024))"
printf '  upload time ratio vya/sdk: %s\n' "$(node -e "console.log((${upload_ms}/${sdk_ms}).toFixed(3))")"
printf '  backup, archive only (no remote)     %6.1f s            peak RSS %4d MiB\n' "$archive_s" "$((archive_kib / 1024))"
printf '  backup with the S3 remote, end to end %5.1f s  (upload %s MiB/s)  peak RSS %4d MiB\n' "$vya_s" "$(mibps "$bytes" "$e2e_ms")" "$((vya_kib / 1024))"
