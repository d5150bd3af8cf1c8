# libFuzzer targets (tests/fuzz/README.md); included by the Makefile.
#
#   make fuzz                  every target for FUZZ_SECONDS (default 300) each
#   make fuzz FUZZ_TARGETS=image FUZZ_SECONDS=60
#   make build/fuzz/fuzz_NAME  one target
#
# A target is one file, tests/fuzz/fuzz_NAME.c: copy one to add another.
# The library is built a third time, with clang, coverage for libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer.
FUZZ          := build/fuzz
FUZZ_CC       := clang
FUZZ_SAN      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                 -fno-sanitize-recover=undefined
FUZZ_SECONDS  ?= 300
FUZZ_ALL      := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_TARGETS  ?= $(FUZZ_ALL)
FUZZ_BINS      = $(patsubst %,$(FUZZ)/fuzz_%,$(FUZZ_ALL))

$(FUZZ)/obj/%.o: src/%.c $(wildcard src/*.h src/*/*.h src/*/*/*.h) build/gen/migrations.c build/gen/web.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ)/obj/gen_%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SAN) -c $< -o $@
$(FUZZ)/libaduan.a: $(patsubst src/%.c,$(FUZZ)/obj/%.o,$(LIB_SRC)) $(FUZZ)/obj/gen_migrations.o \
                    $(FUZZ)/obj/gen_web.o
	@rm -f $@ && ar rcs $@ $^
$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ)/libaduan.a
	@echo "  LINK    $@"
	@$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -Itests/fuzz -o $@ $< \
	    $(FUZZ)/libaduan.a $(PKG_LIBS)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@status=0; for t in $(FUZZ_TARGETS); do \
	    sh tests/fuzz/run.sh $(FUZZ) $$t $(FUZZ_SECONDS) || status=1; done; exit $$status
