#!/usr/bin/env bash
# Files backup benchmark: `vya-backupdb backup` (tar.gz, level 6) against `tar -czf` on the same
# tree, in the same run. Reports the wall-time ratio and both peak RSS values.
# Usage: scripts/bench-files.sh [size-in-MiB, default 1024]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
work="${BENCH_DIR:-$PWD/.bench}/files"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
# A private build: test runs rebuild dist/ and would swap the binary mid-measurement.
cli_dir="$PWD/node_modules/.cache/vya-bench-files"
npx tsup --silent --out-dir "$cli_dir"

tree="$work/tree"
if [ ! -f "$tree/.complete-$size_mib" ]; then
  rm -rf "$tree" && mkdir -p "$tree"
  # A realistic mix: compressible text (logs, configs, SQL-like lines) and incompressible blobs.
  npx tsx scripts/bench-tree.ts "$tree" "$size_mib"
  touch "$tree/.complete-$size_mib"
fi

out="$work/out" && rm -rf "$out" && mkdir -p "$out"
cat > "$work/config.yaml" <<YAML
server: { name: bench }
storage: { local: { path: $out/backups } }
instances:
  - { id: 1, name: tree, type: files, paths: ["$tree/**"], exclude: ["**/.complete-*"], compression_level: 6 }
YAML

sync
measure() { # label, command...: prints "seconds maxrss_kib"
  local log="$work/time-$1.txt"; shift
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>"$work/stderr.txt"
  cat "$log"
}
read -r tar_s tar_kib < <(measure tar tar -czf "$out/plain.tar.gz" --exclude='.complete-*' -C / "${tree#/}")
read -r vya_s vya_kib < <(measure vya node "$cli_dir/cli.js" -c "$work/config.yaml" --log-level warn backup)
archive=$(ls "$out"/backups/bench/tree/*.tar.gz)
printf 'files benchmark, %s MiB tree (%s)\n' "$size_mib" "$(nproc) cores, $(node --version)"
printf '  tar -czf          %6.1f s  peak RSS %6d KiB  %s bytes\n' "$tar_s" "$tar_kib" "$(stat -c %s "$out/plain.tar.gz")"
printf '  vya-backupdb      %6.1f s  peak RSS %6d KiB  %s bytes\n' "$vya_s" "$vya_kib" "$(stat -c %s "$archive")"
printf '  wall-time ratio vya/tar: %s\n' "$(node -e "console.log((${vya_s}/${tar_s}).toFixed(3))")"
