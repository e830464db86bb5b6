#!/usr/bin/env bash
# npm run bench -- wal [runs]: what one archive_command / restore_command call costs. PostgreSQL runs
# `wal-push` once per 16 MiB WAL segment (and `wal-fetch` once per segment during recovery), so its
# start-up plus per-segment work bounds how fast a busy server can archive. Median wall time and
# median CPU time (user + sys, /usr/bin/time: far less distorted by a loaded machine) of N runs each,
# local storage only, for `node dist/cli.js` (the machine's Node) and, when built
# (`npm run build:binary`), the single executable dist-bin/vya-backupdb; `gzip -1` of the same
# segment is the shell floor. Rows: --version (start-up alone), wal-push of a realistic segment
# (6 MiB random + 10 MiB zeros), of a random one (deflate's worst case), of the realistic one with
# age encryption, and wal-fetch of it (decompress, verify, rename).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-11}"
npx tsup --silent
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
head -c $((6 * 1024 * 1024)) /dev/urandom > "$work/seg"
head -c $((10 * 1024 * 1024)) /dev/zero >> "$work/seg"
head -c $((16 * 1024 * 1024)) /dev/urandom > "$work/seg-random"
recipient=$(node dist/cli.js key generate -o "$work/key.txt" 2>/dev/null)
conf() { printf 'server: {name: bench}\nstorage: {local: {path: %s/%s}}\ninstances: [{id: 1, type: postgres, user: postgres, pitr: {enabled: true}}]\n%s' "$work" "$1" "$2" > "$work/$1.yaml"; }
conf plain ""
conf enc "encryption: {age: {recipients: [\"$recipient\"]}, identity: \"\${file:$work/key.txt}\"}
"

# One measurement: "<wall ms> <cpu ms>".
measure() {
  /usr/bin/time -f "%e %U %S" -o "$work/t" "$@" > /dev/null 2>&1 || true
  awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}' "$work/t"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A wall cpu
record() { # key, then the command
  local key=$1; shift
  read -r w c < <(measure "$@")
  wall[$key]+="$w "; cpu[$key]+="$c "
}

runners=("node dist/cli.js")
[ -x dist-bin/vya-backupdb ] && runners+=("dist-bin/vya-backupdb")
for i in $(seq 0 $((runs - 1))); do
  for r in "${runners[@]}"; do
    tag=${r%% *}; n=$(printf '%02X' "$i")
    [ "$tag" = node ] && id=A || id=B
    record "$r|--version" $r --version
    record "$r|wal-push realistic" $r -c "$work/plain.yaml" wal-push "$work/seg" "0000000100000${id}00000000$n" -i 1
    record "$r|wal-push random" $r -c "$work/plain.yaml" wal-push "$work/seg-random" "0000000100000${id}01000000$n" -i 1
    record "$r|wal-push realistic, age" $r -c "$work/enc.yaml" wal-push "$work/seg" "0000000100000${id}02000000$n" -i 1
    rm -f "$work/fetched"
    record "$r|wal-fetch realistic" $r -c "$work/plain.yaml" wal-fetch "0000000100000${id}00000000$n" "$work/fetched" -i 1
  done
  record "shell|gzip -1 -c seg > out" sh -c "gzip -1 -c '$work/seg' > '$work/seg.gz'"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $runs runs each; node $(node --version)"
printf '%-28s %-36s %10s %10s\n' runner command "wall ms" "CPU ms"
for key in $(printf '%s\n' "${!wall[@]}" | tr ' ' '~' | sort); do
  k=${key//\~/ }
  w=$(tr ' ' '\n' <<< "${wall[$k]}" | grep . | median)
  c=$(tr ' ' '\n' <<< "${cpu[$k]}" | grep . | median)
  printf '%-28s %-36s %10s %10s\n' "${k%%|*}" "${k#*|}" "$w" "$c"
done
