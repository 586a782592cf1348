# libFuzzer targets for the GHCB protocols (clang; the pure sources are compiled here, with the
# fakes of tests/fuzz/fuzz_env.c standing in for the CPUID policy, MSR model, I/O dispatch and
# svm_terminate).
#
#   make fuzz-smoke   every target for FUZZ_SMOKE_SECONDS (default 20), run by `make test`
#   make fuzz         every target for FUZZ_SECONDS (default 600)
#
# Corpora live in build/fuzz/corpus/<target>; crashes are written to build/fuzz/crash/.

FUZZ_CC := clang
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_CFLAGS := -std=gnu11 -O1 -g -I. -DSEVISOR_HOSTED -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Wno-address-of-packed-member -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes
# What the GHCB protocols are made of, plus the guest-memory accessor and the log they use.
FUZZ_LIB_SRC := $(sort $(wildcard ghcb/*.c)) lib/fmt.c lib/log.c lib/string.c svm/guest_mem.c svm/vm.c \
	tests/fuzz/fuzz_env.c
FUZZ_TARGETS := fuzz_ghcb_msr fuzz_ghcb_page
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
FUZZ_HDRS := $(shell find ghcb svm sev msr lib -name '*.h') \
	tests/fuzz/fuzz_env.h

$(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_LIB_SRC) $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(FUZZ_LIB_SRC) -o $@

fuzz-build: $(FUZZ_BINS)

# $(call fuzz_run,seconds)
define fuzz_run
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/crash; \
		echo "fuzz: $$t for $(1) s"; \
		$(FUZZ_DIR)/$$t -max_total_time=$(1) -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crash/$$t- \
			$(FUZZ_DIR)/corpus/$$t 2>$(FUZZ_DIR)/$$t.log || { tail -60 $(FUZZ_DIR)/$$t.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' $(FUZZ_DIR)/$$t.log | sed "s|^|$$t: |"; \
	done
endef

fuzz-smoke: $(FUZZ_BINS)
	$(call fuzz_run,$(FUZZ_SMOKE_SECONDS))

fuzz: $(FUZZ_BINS)
	$(call fuzz_run,$(FUZZ_SECONDS))

.PHONY: fuzz fuzz-smoke fuzz-build
