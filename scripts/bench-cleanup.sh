#!/usr/bin/env bash
# Cleanup benchmark: 10,000 backups (10 databases × 1,000 daily backups: small archives with
# valid sidecars) on local storage; times `list`, `cleanup --dry-run`, `cleanup`, then `list`
# of what is left, each with its peak RSS.
# Usage: scripts/bench-cleanup.sh [groups, default 10] [days, default 1000]
set -euo pipefail
cd "$(dirname "$0")/.."
groups="${1:-10}"
days="${2:-1000}"
work="${BENCH_DIR:-$PWD/.bench}/cleanup"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
# A private build: test runs rebuild dist/ and would swap the binary mid-measurement.
cli_dir="$PWD/node_modules/.cache/vya-bench-cleanup"
npx tsup --silent --out-dir "$cli_dir"

store="$work/store"
rm -rf "$work" && mkdir -p "$store"
npx tsx scripts/bench-cleanup-data.ts "$store" "$groups" "$days"
databases=$(seq -s, 0 $((groups - 1)) | sed 's/\([0-9]*\)/db\1/g')
cat > "$work/config.yaml" <<YAML
server: { name: db01 }
storage: { local: { path: $store } }
retention: { keep_daily: 7, keep_weekly: 4, keep_monthly: 12, keep_yearly: 3, timezone: UTC }
instances:
  - { id: 1, name: pg-main, type: postgres, user: u, databases: [$databases] }
YAML

sync
measure() { # label, command...: prints "seconds cpu_seconds maxrss_kib" (CPU time reads through a busy machine's load)
  local log="$work/time-$1.txt"; shift
  /usr/bin/time -f "%e %U+%S %M" -o "$log" "$@" >/dev/null 2>"$work/stderr-$1.txt" || { cat "$work/stderr-$1.txt" >&2; exit 1; }
  cat "$log"
}
cli=(node "$cli_dir/cli.js" -c "$work/config.yaml" --log-level warn)
total=$(find "$store" -name '*.zip' | wc -l)
read -r list_s list_cpu list_kib < <(measure list "${cli[@]}" list)
read -r dry_s dry_cpu dry_kib < <(measure dry "${cli[@]}" cleanup --dry-run)
read -r clean_s clean_cpu clean_kib < <(measure clean "${cli[@]}" cleanup)
left=$(find "$store" -name '*.zip' | wc -l)
read -r after_s after_cpu after_kib < <(measure after "${cli[@]}" list)
printf 'cleanup benchmark, %s backups in %s groups on local storage (%s)\n' "$total" "$groups" "$(nproc) cores, $(node --version)"
cpu() { node -e "console.log(($1).toFixed(2))"; }
printf '  (load average: %s)\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  list                 %6.2f s wall  %5s s CPU  peak RSS %6d KiB\n' "$list_s" "$(cpu "$list_cpu")" "$list_kib"
printf '  cleanup --dry-run    %6.2f s wall  %5s s CPU  peak RSS %6d KiB\n' "$dry_s" "$(cpu "$dry_cpu")" "$dry_kib"
printf '  cleanup              %6.2f s wall  %5s s CPU  peak RSS %6d KiB  (%s deleted, %s left)\n' "$clean_s" "$(cpu "$clean_cpu")" "$clean_kib" "$((total - left))" "$left"
printf '  list afterwards      %6.2f s wall  %5s s CPU  peak RSS %6d KiB\n' "$after_s" "$(cpu "$after_cpu")" "$after_kib"
