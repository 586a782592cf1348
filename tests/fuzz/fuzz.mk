# libFuzzer targets (clang) over what a guest or a boot volume controls, linked with the real
# modules: every pure source of the tree is compiled once into build/fuzz/obj (instrumented for
# coverage, ASan and UBSan) and archived; each target links the archive. tests/fuzz/fuzz_env.c
# fakes only what is hardware (the host CPUID instruction, the host TSC).
#
#   fuzz_ghcb_msr     GHCB MSR protocol (CPUID policy, termination, registration, AP hold)
#   fuzz_ghcb_page    GHCB page protocol (NAE events into the MSR model, devices, MMIO)
#   fuzz_emulate      instruction decoder, guest page walk, MMIO/CR/string-I/O emulation and the
#                     soft-es CPU model, against a fake guest memory
#   fuzz_config       the sevisor.cfg parser
#   fuzz_multiboot    the Multiboot v1 loader (kernel images and modules)
#
#   make fuzz-smoke   every target for FUZZ_SMOKE_SECONDS (default 15), run by `make test`
#   make fuzz         every target for FUZZ_SECONDS (default 600)
#   make fuzz FUZZ_TARGETS=fuzz_config   one target
#
# Corpora live in build/fuzz/corpus/<target> (seeded from FUZZ_SEEDS_<target>), crashes are
# written to build/fuzz/crash/, each run's log and final stats to build/fuzz/<target>.log.

FUZZ_CC := clang
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 15
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_WARN := -Wall -Wextra -Werror -Wno-address-of-packed-member -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes
FUZZ_SAN := address,undefined
FUZZ_BASE_CFLAGS := -std=gnu11 -O1 -g -I. -DSEVISOR_HOSTED -fno-omit-frame-pointer \
	-fno-sanitize-recover=all $(FUZZ_WARN)
FUZZ_TARGETS := fuzz_ghcb_msr fuzz_ghcb_page fuzz_emulate fuzz_config fuzz_multiboot
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
FUZZ_OBJS := $(PURE_C:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/tests/fuzz/fuzz_env.o
# Starting inputs (copied into the corpus when missing) and dictionaries.
FUZZ_SEEDS_fuzz_config := sevisor.cfg
FUZZ_DICT_fuzz_config := tests/fuzz/config.dict

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_BASE_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -MMD -MP -c $< -o $@

$(FUZZ_DIR)/libsevisor_fuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	$(Q)ar rcsT $@ $^

$(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_DIR)/libsevisor_fuzz.a
	@mkdir -p $(dir $@)
	$(call say,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_BASE_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -MMD -MP $< $(FUZZ_DIR)/libsevisor_fuzz.a -o $@

fuzz-build: $(FUZZ_BINS)

# $(call fuzz_one,target,seconds): one run; stops make at a crash with the log's tail. Prints
# the executions and the last status line (cov: edges covered, ft: features, corp: corpus).
define fuzz_one
	@mkdir -p $(FUZZ_DIR)/corpus/$(1) $(FUZZ_DIR)/crash
	@$(if $(FUZZ_SEEDS_$(1)),cp -n $(FUZZ_SEEDS_$(1)) $(FUZZ_DIR)/corpus/$(1)/,true)
	@echo "fuzz: $(1) for $(2) s"
	@$(FUZZ_DIR)/$(1) -max_total_time=$(2) -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crash/$(1)- \
		$(if $(FUZZ_DICT_$(1)),-dict=$(FUZZ_DICT_$(1))) $(FUZZ_DIR)/corpus/$(1) \
		2>$(FUZZ_DIR)/$(1).log || { tail -60 $(FUZZ_DIR)/$(1).log; exit 1; }
	@grep -E '^stat::number_of_executed_units' $(FUZZ_DIR)/$(1).log | sed "s|^|$(1): |"
	@grep -E '^#[0-9]+' $(FUZZ_DIR)/$(1).log | tail -1 | sed "s|^|$(1): |"
endef
define newline


endef

fuzz-smoke: $(FUZZ_BINS)
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_one,$(t),$(FUZZ_SMOKE_SECONDS))$(newline))

fuzz: $(FUZZ_BINS)
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_one,$(t),$(FUZZ_SECONDS))$(newline))

.PHONY: fuzz fuzz-smoke fuzz-build
-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
