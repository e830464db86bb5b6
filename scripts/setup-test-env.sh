#!/usr/bin/env bash
# Installs what the test suite needs on Debian 12 (run as root; CI has no stdin).
# The servers themselves are started by the test harness on free loopback ports; nothing here
# starts a service.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need=()
command -v initdb >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client-15)
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server-core)
command -v mariadb-dump >/dev/null 2>&1 && command -v mariadb >/dev/null 2>&1 || need+=(mariadb-client)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v unzip >/dev/null 2>&1 || need+=(unzip)            # database round-trip tests extract with the stock unzip
command -v openssl >/dev/null 2>&1 || need+=(openssl)        # the database test servers offer TLS with a throwaway CA
command -v python3 >/dev/null 2>&1 || need+=(python3)        # a zip test reads archives with Python's zipfile, an independent reader
command -v age >/dev/null 2>&1 || need+=(age)                # encryption tests decrypt our archives with the stock age CLI (and the reverse)
command -v zstd >/dev/null 2>&1 || need+=(zstd)              # zstd archives are checked with the stock zstd and tar --zstd
command -v prometheus-pushgateway >/dev/null 2>&1 || [ -x /usr/bin/prometheus-pushgateway ] || need+=(prometheus-pushgateway)  # metrics tests push to a real gateway
command -v promtool >/dev/null 2>&1 || need+=(prometheus)    # promtool checks and unit-tests monitoring/alerts.yml
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd) # systemd-analyze verify/security on the generated units
command -v ansible-playbook >/dev/null 2>&1 || need+=(ansible-core)  # the deploy/ansible role runs against a scratch root
command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg)          # the .deb is built with dpkg-deb
command -v make >/dev/null 2>&1 || need+=(make)              # the Makefile's per-server generate/install is tested
command -v envsubst >/dev/null 2>&1 || need+=(gettext-base)  # make generate fills deploy/templates/ with envsubst

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${need[*]} (run this script as root)" >&2
    exit 1
  fi
  # policy-rc.d keeps package scripts from starting services we do not want running.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
  [ "$own_policy" -eq 0 ] || rm -f /usr/sbin/policy-rc.d
fi

npm ci --no-audit --no-fund
