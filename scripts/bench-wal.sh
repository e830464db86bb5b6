#!/usr/bin/env bash
# npm run bench -- wal: wall time of one `wal-push` of a 16 MiB WAL segment (PostgreSQL runs it
# once per segment), against `--version` (node start-up alone) and `gzip -1 -c seg > out` (the
# shell equivalent), median of N runs each, local storage only.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-11}"
bin="$PWD/bin/vya-backupdb"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A realistic segment: WAL records are partly incompressible (row data) and partly zero-padded.
head -c $((6 * 1024 * 1024)) /dev/urandom > "$work/seg"
head -c $((10 * 1024 * 1024)) /dev/zero >> "$work/seg"
head -c $((16 * 1024 * 1024)) /dev/urandom > "$work/seg-random"
printf 'server: {name: bench}\nstorage: {local: {path: %s/store}}\ninstances: [{id: 1, type: postgres, user: postgres, pitr: {enabled: true}}]\n' "$work" > "$work/config.yaml"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s%N); echo $(((e - s) / 1000000)); }

i=0
version=(); push=(); push_random=(); gz=()
while [ $i -lt "$runs" ]; do
  name=$(printf '0000000100000000000000%02X' "$i")
  version+=("$(timeit "$bin" --version)")
  push+=("$(timeit "$bin" -c "$work/config.yaml" wal-push "$work/seg" "$name" -i 1)")
  push_random+=("$(timeit "$bin" -c "$work/config.yaml" wal-push "$work/seg-random" "${name:0:16}1000$(printf '%04X' "$i")" -i 1)")
  gz+=("$(timeit sh -c "gzip -1 -c '$work/seg' > '$work/seg.gz'")")
  i=$((i + 1))
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $runs runs each (median ms)"
echo "--version                        $(printf '%s\n' "${version[@]}" | median)"
echo "wal-push 16 MiB (6 random+10 zero) $(printf '%s\n' "${push[@]}" | median)"
echo "wal-push 16 MiB random           $(printf '%s\n' "${push_random[@]}" | median)"
echo "gzip -1 of the same segment      $(printf '%s\n' "${gz[@]}" | median)"
