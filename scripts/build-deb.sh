#!/usr/bin/env bash
# npm run deb → dist-bin/vya-backupdb_<version>_amd64.deb, with dpkg-deb alone: the single executable
# in /usr/bin, the systemd units, the man page (generated from the binary's own --help), the JSON
# schema, examples and docs. Builds the binary first when it is missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(node -p 'require("./package.json").version')"
bin=dist-bin/vya-backupdb
bash scripts/build-binary.sh --if-stale
out="dist-bin/vya-backupdb_${version}_amd64.deb"
# --if-stale: keep a package newer than everything that goes into it.
if [ "${1:-}" = --if-stale ] && [ -f "$out" ] &&
  [ -z "$(find "$bin" packaging src/schedule examples docs config $(ls -d monitoring 2>/dev/null) README.md CHANGELOG.md scripts/build-deb.sh scripts/man-page.ts -newer "$out" -print -quit)" ]; then
  exit 0
fi
root="$(mktemp -d)"
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
doc="$root/usr/share/doc/vya-backupdb"
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/share/man/man1" \
  "$root/usr/share/vya-backupdb" "$doc/examples" "$root/etc/vya-backupdb"
install -m 0755 "$bin" "$root/usr/bin/vya-backupdb"
# The units are generated from the packaged starter config by the binary itself (schedule print: the
# same hardening as `schedule install`), then named vya-backupdb.service/.timer for the package.
# An operator who changes paths or credentials regenerates them with `vya-backupdb schedule install`.
units="$(mktemp -d)"
server="$(sed -n 's/^  name: *\([^ #]*\).*/\1/p' packaging/deb/config.yaml | head -1)"
"$bin" -c packaging/deb/config.yaml schedule print --exec /usr/bin/vya-backupdb \
  --installed-config /etc/vya-backupdb/config.yaml --output-dir "$units" >/dev/null
for kind in service timer; do
  sed "s|vya-backupdb-$server\.service|vya-backupdb.service|g" "$units/vya-backupdb-$server.$kind" > "$root/lib/systemd/system/vya-backupdb.$kind"
done
cp "$units/vya-backupdb-failure@.service" "$root/lib/systemd/system/"
chmod 0644 "$root/lib/systemd/system/"*
rm -rf "$units"
npx tsx scripts/man-page.ts "$bin" | gzip -9n > "$root/usr/share/man/man1/vya-backupdb.1.gz"
install -m 0644 config/vya-backupdb.schema.json "$root/usr/share/vya-backupdb/"
cp -r examples/. "$doc/examples/"
install -m 0644 README.md "$doc/README.md"
install -m 0644 systemd/README.md "$doc/README.systemd.md"
cp -r docs "$doc/docs"
# Prometheus alert rules and the Grafana dashboard, when this checkout has them.
[ ! -d monitoring ] || cp -r monitoring "$doc/monitoring"
gzip -9nc CHANGELOG.md > "$doc/changelog.gz"
{ printf 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: vya-backupdb\n\nFiles: *\nLicense: GPL-2.0-or-later\n On Debian systems the full text is in /usr/share/common-licenses/GPL-2.\n'; } > "$doc/copyright"
find "$doc" -type d -exec chmod 0755 {} + && find "$doc" -type f -exec chmod 0644 {} +
install -m 0640 packaging/deb/config.yaml "$root/etc/vya-backupdb/config.yaml"
chmod 0750 "$root/etc/vya-backupdb"
install -m 0644 packaging/deb/conffiles "$root/DEBIAN/conffiles"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$root/DEBIAN/"
size_kib="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size_kib/" packaging/deb/control.in > "$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
# gzip rather than the default xz: as small within a few percent on this binary, and seconds not a minute.
dpkg-deb --root-owner-group -Zgzip -z6 --build "$root" "$out" >/dev/null
(cd dist-bin && sha256sum "$(basename "$out")" > "$(basename "$out").sha256")
echo "built $out ($(du -h "$out" | cut -f1))"
