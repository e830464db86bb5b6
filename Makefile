# Per-server installs of vya-backupdb: one config, one systemd service + timer per server.
#   make generate SERVER=db01 [LOCATION=… SCHEDULE=… PG_HOST=… MYSQL_HOST=… FILES_PATHS=…]
#   make install SERVER=db01 [DESTDIR=…]   then   make check|backup|status|logs SERVER=db01
# Run "make help" for every variable. Nothing here needs a shell string built from a config:
# templates are filled with envsubst and the units come from "vya-backupdb schedule print".

SHELL := /bin/bash
# --norc: bash reads ~/.bashrc when its stdin is a socket (make run by ssh, Ansible or a Node
# child_process), and that ran for every recipe line: seconds each on a machine with pyenv or nvm.
.SHELLFLAGS := --norc -e -o pipefail -c
.DEFAULT_GOAL := help

SERVER ?=
DESTDIR ?=
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib/vya-backupdb
CONFDIR ?= /etc/vya-backupdb
UNITDIR := /etc/systemd/system
# copy: bin, dist and the production node_modules into LIBDIR; none: the program is installed otherwise (.deb, npm -g, make deb).
PROGRAM ?= copy
SERVERS ?= servers

LOCATION ?=
STORAGE ?= /var/backups/vya-backupdb
SCHEDULE ?= *-*-* 02:30
RANDOMIZED_DELAY ?= 15m
PG_HOST ?=
PG_PORT ?= 5432
PG_USER ?= backup
PG_ID ?= 1
MYSQL_HOST ?=
MYSQL_PORT ?= 3306
MYSQL_USER ?= backup
MYSQL_ID ?= 2
FILES_PATHS ?=
FILES_ID ?= 3
# FORCE=1: generate overwrites an existing servers/<name>/config.yaml.
FORCE ?=

VYA := $(CURDIR)/bin/vya-backupdb
SERVER_DIR := $(SERVERS)/$(SERVER)
UNIT := vya-backupdb-$(SERVER)
CONFIG := $(CONFDIR)/$(SERVER).yaml
CREDDIR := $(CONFDIR)/credentials/$(SERVER)
TEMPLATES := $(CURDIR)/deploy/templates
export SERVER LOCATION STORAGE SCHEDULE RANDOMIZED_DELAY PG_HOST PG_PORT PG_USER PG_ID MYSQL_HOST MYSQL_PORT MYSQL_USER MYSQL_ID FILES_PATHS FILES_ID
TEMPLATE_VARS := $$SERVER $$LOCATION $$STORAGE $$SCHEDULE $$RANDOMIZED_DELAY $$PG_HOST $$PG_PORT $$PG_USER $$PG_ID $$MYSQL_HOST $$MYSQL_PORT $$MYSQL_USER $$MYSQL_ID $$FILES_PATHS $$FILES_ID

.PHONY: help generate install uninstall backup check status logs clean deb need-server build

help: ## this list
	@echo "vya-backupdb per-server installs (SERVER=name is required where shown)"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 28
	@echo
	@echo "generate variables: LOCATION STORAGE=$(STORAGE) SCHEDULE='$(SCHEDULE)' RANDOMIZED_DELAY=$(RANDOMIZED_DELAY)"
	@echo "  PG_HOST [PG_PORT PG_USER PG_ID]  MYSQL_HOST [MYSQL_PORT MYSQL_USER MYSQL_ID]  FILES_PATHS [FILES_ID]  FORCE=1"
	@echo "install variables: DESTDIR PREFIX=$(PREFIX) CONFDIR=$(CONFDIR)  PROGRAM=copy|none"

need-server:
	@case "$(SERVER)" in ''|*[!A-Za-z0-9._-]*|[!A-Za-z0-9]*) echo "SERVER=name is required: letters, digits, '.', '_', '-', starting with a letter or digit" >&2; exit 2;; esac

build: dist/cli.js
dist/cli.js: $(wildcard src/*/*.ts src/*/*/*.ts src/*.ts)
	npm run build --silent

generate: need-server build ## SERVER=name: servers/<name>/ with config.yaml, units, README.md
	@mkdir -p $(SERVER_DIR)
	@if [ -e $(SERVER_DIR)/config.yaml ] && [ -z "$(FORCE)" ]; then \
	  echo "keeping $(SERVER_DIR)/config.yaml (FORCE=1 to regenerate it from the template)"; \
	else \
	  { envsubst '$(TEMPLATE_VARS)' < $(TEMPLATES)/config.yaml.in; \
	    if [ -n "$(PG_HOST)" ]; then envsubst '$(TEMPLATE_VARS)' < $(TEMPLATES)/postgres.yaml.in; fi; \
	    if [ -n "$(MYSQL_HOST)" ]; then envsubst '$(TEMPLATE_VARS)' < $(TEMPLATES)/mysql.yaml.in; fi; \
	    if [ -n "$(FILES_PATHS)" ]; then envsubst '$(TEMPLATE_VARS)' < $(TEMPLATES)/files.yaml.in; fi; \
	  } > $(SERVER_DIR)/config.yaml.new; \
	  chmod 0600 $(SERVER_DIR)/config.yaml.new; mv $(SERVER_DIR)/config.yaml.new $(SERVER_DIR)/config.yaml; \
	  echo "wrote $(SERVER_DIR)/config.yaml"; \
	fi
	@# The units are generated from the config, which validates it (secrets are not needed for that).
	@$(VYA) -c $(SERVER_DIR)/config.yaml schedule print --output-dir $(SERVER_DIR) --exec $(BINDIR)/vya-backupdb --installed-config $(CONFIG) --credentials-dir $(CREDDIR)
	@SCHEDULE="$$(sed -nE 's/^  on_calendar: "?([^"]*)"?$$/\1/p' $(SERVER_DIR)/config.yaml)" \
	  RANDOMIZED_DELAY="$$(sed -nE 's/^  randomized_delay: (.*)$$/\1/p' $(SERVER_DIR)/config.yaml)" \
	  envsubst '$(TEMPLATE_VARS)' < $(TEMPLATES)/README.md.in > $(SERVER_DIR)/README.md
	@echo "wrote $(SERVER_DIR)/README.md"

install: need-server ## SERVER=name [DESTDIR=…]: program, /etc/vya-backupdb/<name>.yaml (0600), credentials folder (0700), units
	@test -f $(SERVER_DIR)/config.yaml || { echo "$(SERVER_DIR)/config.yaml is missing: run make generate SERVER=$(SERVER) first" >&2; exit 2; }
ifeq ($(PROGRAM),copy)
	$(MAKE) --no-print-directory build
	install -d -m 0755 $(DESTDIR)$(LIBDIR) $(DESTDIR)$(BINDIR)
	cp -a bin dist package.json package-lock.json $(DESTDIR)$(LIBDIR)/
	@# Only the production packages, as the lockfile marks them (nested ones come with their parent;
	@# devOptional is TypeScript, a peer cosmiconfig loads only for .ts configs, which are not searched):
	@# copying all of node_modules and pruning it moved 400 MB of build and test tools for nothing.
	node -e 'const fs = require("fs"); for (const [k, v] of Object.entries(require("./package-lock.json").packages)) if (/^node_modules\/(@[^/]+\/)?[^/]+$$/.test(k) && !v.dev && !v.devOptional && fs.existsSync(k)) console.log(k)' \
	  | xargs -r cp -a --parents -t $(DESTDIR)$(LIBDIR)
	ln -sfn $(LIBDIR)/bin/vya-backupdb $(DESTDIR)$(BINDIR)/vya-backupdb
endif
	install -d -m 0755 $(DESTDIR)$(CONFDIR)
	install -d -m 0700 $(DESTDIR)$(CONFDIR)/credentials $(DESTDIR)$(CREDDIR)
	install -m 0600 $(SERVER_DIR)/config.yaml $(DESTDIR)$(CONFIG)
	@# Units, the paths they need (storage, scratch, log), and systemctl where systemd runs this system.
	$(VYA) -c $(SERVER_DIR)/config.yaml schedule install --root "$(or $(DESTDIR),/)" --exec $(BINDIR)/vya-backupdb --installed-config $(CONFIG) --credentials-dir $(CREDDIR)

uninstall: need-server ## SERVER=name [DESTDIR=…]: stop and remove the units and the config (credentials and backups stay)
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl disable --now $(UNIT).timer || true; fi
	rm -f $(DESTDIR)$(UNITDIR)/$(UNIT).service $(DESTDIR)$(UNITDIR)/$(UNIT).timer $(DESTDIR)$(CONFIG)
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "kept $(DESTDIR)$(CREDDIR), the backups and $(DESTDIR)$(UNITDIR)/vya-backupdb-failure@.service (shared by every server)"

backup: need-server ## SERVER=name: a run now, through systemd (same hardening and credentials as the timer's)
	systemctl start $(UNIT).service

check: need-server ## SERVER=name: everything a run needs, without backing up
	CREDENTIALS_DIRECTORY=$(CREDDIR) $(BINDIR)/vya-backupdb -c $(CONFIG) check

status: need-server ## SERVER=name: freshness of the newest backups
	CREDENTIALS_DIRECTORY=$(CREDDIR) $(BINDIR)/vya-backupdb -c $(CONFIG) status

logs: need-server ## SERVER=name: the journal of the last runs
	journalctl --no-pager -n 200 -u $(UNIT).service

deb: ## the Debian package dist-bin/vya-backupdb_<version>_amd64.deb (single executable, units, man page): npm run deb
	npm run --silent deb

clean: ## remove the build (dist/) and the generated units and READMEs under servers/ (configs are kept)
	rm -rf dist
	find $(SERVERS) -mindepth 2 -maxdepth 2 \( -name '*.service' -o -name '*.timer' -o -name README.md \) -delete 2>/dev/null || true
