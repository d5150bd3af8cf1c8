# aduan: build, run the demo, test.  GNU make; dependencies via pkg-config.
#
#   make run    install what is missing, build, create the demo, serve it
#   make test   install what is missing, build with ASan+UBSan, run every test
#   make fuzz   run every libFuzzer target for FUZZ_SECONDS (300) each (tests/fuzz/README.md)
#   make deb    the Debian package, build/deb/aduan_VERSION_amd64.deb (deploy/debian/)
#   make lint   formatting and banned functions

PKGS      := libmicrohttpd jansson sqlite3 libpq libsodium inih libcurl libjpeg libpng libwebp libcrypto libqrencode gmime-3.0
CC        ?= cc
CSTD      := -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN      := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Werror
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhpdf -lpthread -lm
VERSION   := 0.1.0
CFLAGS    ?= -O2 -g
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) -Isrc -Ibuild/gen -DADUAN_VERSION='"$(VERSION)"' $(PKG_CFLAGS)

# Debian packages the build and the tests need (make deps).
DEB_PKGS := build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev \
            libpq-dev libsodium-dev libinih-dev libcurl4-openssl-dev libcmocka-dev python3 python3-pytest tzdata \
            postgresql nginx openssl sqlite3 strace systemd \
            libjs-leaflet libjs-chart.js libhpdf-dev poppler-utils chromium nodejs \
            libjpeg-dev libpng-dev libwebp-dev clang libclang-rt-dev lintian \
            libssl-dev libqrencode-dev python3-jsonschema \
            libgmime-3.0-dev dovecot-imapd

LIB_SRC  := src/admin.c $(wildcard src/core/*.c src/store/*.c src/domain/*.c src/channels/*.c src/channels/*/*.c \
            src/jobs/*.c src/http/*.c src/ops/*.c)
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
UNIT_SRC := $(wildcard tests/unit/test_*.c)

# Two build flavours share the rules: build/rel (make run) and build/asan (make test).
REL  := build/rel
ASAN := build/asan
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

.PHONY: all run test deps build unit e2e lint clean deb
# A recipe that fails (a generator that stops half-way, e.g. build/gen/web.c
# before `make deps` installed Leaflet) leaves no target for the next run to trust.
.DELETE_ON_ERROR:
all: build

build: $(REL)/aduan

define flavour
$(1)/obj/%.o: src/%.c $$(wildcard src/*.h src/*/*.h src/*/*/*.h) build/gen/migrations.c build/gen/web.c | $(1)/obj
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$@"
	@$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@
$(1)/obj/gen_migrations.o: build/gen/migrations.c | $(1)/obj
	@echo "  CC      $$@"
	@$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@
$(1)/obj/gen_web.o: build/gen/web.c | $(1)/obj
	@echo "  CC      $$@"
	@$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@
$(1)/libaduan.a: $$(patsubst src/%.c,$(1)/obj/%.o,$$(LIB_SRC)) $(1)/obj/gen_migrations.o $(1)/obj/gen_web.o
	@rm -f $$@ && ar rcs $$@ $$^
$(1)/aduan: $(1)/obj/main.o $(1)/libaduan.a
	@echo "  LINK    $$@"
	@$$(CC) $(2) -o $$@ $$^ $$(PKG_LIBS)
$(1)/tests/%: tests/unit/%.c $(1)/libaduan.a $$(wildcard tests/unit/*.h)
	@mkdir -p $$(dir $$@)
	@echo "  LINK    $$@"
	@$$(CC) $$(ALL_CFLAGS) $(2) -Itests/unit -o $$@ $$< $(1)/libaduan.a $$(PKG_LIBS) -lcmocka
$(1)/obj:
	mkdir -p $$@
endef
$(eval $(call flavour,$(REL),))
$(eval $(call flavour,$(ASAN),$(SAN_FLAGS)))
# The Debian package's binary: Debian's hardening flags (dpkg-buildflags).
DEBBIN := build/debbin
DEB_FLAGS := $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CFLAGS \
               2>/dev/null) $(shell dpkg-buildflags --get CPPFLAGS 2>/dev/null) \
             $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS \
               2>/dev/null)
$(eval $(call flavour,$(DEBBIN),$(DEB_FLAGS)))

build/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	@$(CC) -std=c17 -O1 -Wall -Wextra -Werror -o $@ $<

# The list of migration files, rewritten only when it changes: a renamed or
# deleted file (a pair that became one shared NNNN_name.sql) re-embeds too.
MIGRATIONS_LIST := build/gen/migrations.list
$(shell mkdir -p build/gen && echo '$(MIGRATIONS)' | cmp -s - $(MIGRATIONS_LIST) || \
        echo '$(MIGRATIONS)' > $(MIGRATIONS_LIST))
build/gen/migrations.c: build/tools/embed $(MIGRATIONS) $(MIGRATIONS_LIST)
	@mkdir -p $(dir $@)
	@build/tools/embed embed_migrations $@ $(MIGRATIONS)

# Web assets compiled into the binary: our pages, and Leaflet from Debian's
# libjs-leaflet (no CDN).
LEAFLET := /usr/share/javascript/leaflet
CHARTJS := /usr/share/javascript/chart.js
WEB_FILES := $(sort $(wildcard web/*/*))
WEB_ARGS = $(foreach f,$(WEB_FILES),/$(patsubst web/%,%,$(f))=$(f)) \
           /vendor/leaflet/leaflet.js=$(LEAFLET)/leaflet.min.js \
           /vendor/leaflet/leaflet.css=$(LEAFLET)/leaflet.css \
           /vendor/chart.js/chart.min.js=$(CHARTJS)/chart.min.js \
           $(foreach i,marker-icon.png marker-icon-2x.png marker-shadow.png layers.png layers-2x.png,\
             /vendor/leaflet/images/$(i)=$(LEAFLET)/images/$(i))

build/gen/web.c: build/tools/embed $(WEB_FILES) Makefile
	@mkdir -p $(dir $@)
	@build/tools/embed embed_web $@ $(WEB_ARGS)

deps:
	@sh tools/deps.sh $(DEB_PKGS)
	@# npm: Debian's package, unless the installed nodejs brings its own (NodeSource's does).
	@command -v npm >/dev/null || sh tools/deps.sh npm

run: deps
	@$(MAKE) --no-print-directory build
	@mkdir -p var
	@$(REL)/aduan init --demo --keep
	@echo "Open http://127.0.0.1:8080/sim for the WhatsApp simulator (API: docs/API.md; stop with Ctrl-C)"
	@# The demo accounts sign in with the password alone unless you set
	@# ADUAN_2FA_REQUIRED_ROLES yourself (production default: superadmin,admin).
	@ADUAN_2FA_REQUIRED_ROLES="$${ADUAN_2FA_REQUIRED_ROLES-}" $(REL)/aduan serve

UNIT_BINS = $(patsubst tests/unit/%.c,$(ASAN)/tests/%,$(UNIT_SRC))

test: deps
	@$(MAKE) --no-print-directory $(ASAN)/aduan $(UNIT_BINS) $(FUZZ_BINS) deb
	@[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error
	@sh tests/run-all.sh $(ASAN)

# build/aduan_VERSION_ARCH.deb: deploy/debian/build.sh; docs/DEPLOY.md, "The Debian package".
deb: $(DEBBIN)/aduan
	@sh deploy/debian/build.sh $(DEBBIN)/aduan $(VERSION) build

lint:
	@sh tools/lint.sh

clean:
	rm -rf build

include tests/fuzz/fuzz.mk
