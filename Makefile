# sevisor: the one build entry point.
#
#   make            build/sevisor.efi
#   make image      build/sevisor.img (GPT disk, one EFI system partition; dd it to a USB stick)
#   make run        install what is missing, build, boot the image in QEMU (TCG) and stream the console
#   make test       install what is missing, then unit tests, a fuzz smoke run, integration tests,
#                   the bench budget check and (with KUT_SRC) the kvm-unit-tests conformance run
#   make unit       unit tests only (hosted, cmocka, ASan+UBSan)
#   make integration  integration tests only (pytest driving QEMU)
#   make conformance  kvm-unit-tests under sevisor (needs KUT_SRC=kvm-unit-tests tarball or tree)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 600)
#   make bench      exit-path instruction counts under QEMU -icount
#
# Sources: every .c file under the module folders is built into the EFI image. The hosted build
# (unit tests, fuzzers) takes the same files minus the ones that touch hardware or UEFI:
# names ending in _hw.c, and boot/efi_*.c.

BUILD ?= build
# Module folders, searched to any depth (svm/emul, svm/dev, svm/load...): a new file or folder
# needs no list kept by hand.
SRC_DIRS := lib arch boot svm sev ghcb msr
ALL_C := $(sort $(shell find $(SRC_DIRS) -name '*.c'))
HW_C := $(filter %_hw.c boot/efi_%.c,$(ALL_C))
PURE_C := $(filter-out $(HW_C),$(ALL_C))
ASM := $(sort $(shell find $(SRC_DIRS) -name '*.asm'))

CC := gcc
# V=1 shows full command lines.
V ?= 0
ifeq ($(V),0)
Q := @
say = @echo "  $(1) $(2)"
else
Q :=
say =
endif
NASM := nasm
WARN := -Wall -Wextra -Werror -Wno-address-of-packed-member -Wshadow -Wstrict-prototypes -Wmissing-prototypes

# ---- the EFI image --------------------------------------------------------------------------
EFI_INC := -isystem /usr/include/efi -isystem /usr/include/efi/x86_64 -isystem /usr/include/efi/protocol
EFI_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. $(EFI_INC) -fpic -fshort-wchar -mno-red-zone \
	-mgeneral-regs-only -ffreestanding -fno-stack-protector -fno-strict-aliasing \
	-fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables -DEFI_FUNCTION_WRAPPER \
	-DGNU_EFI_USE_MS_ABI -include lib/efi_visibility.h -MMD -MP
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic -T linker.ld -L/usr/lib
EFI_OBJS := $(ALL_C:%.c=$(BUILD)/efi/%.o) $(ASM:%.asm=$(BUILD)/efi/%.o)

all: $(BUILD)/sevisor.efi

$(BUILD)/efi/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/%.o: %.asm
	@mkdir -p $(dir $@)
	$(call say,NASM,$@)
	$(Q)$(NASM) -f elf64 -Werror -I. $< -o $@

$(BUILD)/sevisor.so: $(EFI_OBJS) linker.ld
	ld $(EFI_LDFLAGS) /usr/lib/crt0-efi-x86_64.o $(EFI_OBJS) -o $@ -lgnuefi

$(BUILD)/sevisor.efi: $(BUILD)/sevisor.so
	objcopy -j .text -j .sdata -j .data -j .dynamic -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc -j .bss --target efi-app-x86_64 --subsystem=10 $< $@

# ---- guests -----------------------------------------------------------------------------------
include tests/guests/guests.mk
include tests/linux/linux.mk

# ---- the USB image ----------------------------------------------------------------------------
IMAGE_CFG ?= sevisor.cfg
image: $(BUILD)/sevisor.img
$(BUILD)/sevisor.img: $(BUILD)/sevisor.efi $(IMAGE_CFG) $(GUEST_ELFS) $(LINUX_FILES) tools/mkimage.sh
	tools/mkimage.sh $@ $(BUILD)/sevisor.efi $(IMAGE_CFG) $(GUEST_ELFS) $(LINUX_FILES)

# ---- hosted build: unit tests and fuzzers -----------------------------------------------------
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -DSEVISOR_HOSTED -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -MMD -MP
HOST_OBJS := $(PURE_C:%.c=$(BUILD)/host/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

$(BUILD)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -c $< -o $@

# A thin archive: members keep their paths, so equal file names in two folders never clash.
$(BUILD)/host/libsevisor.a: $(HOST_OBJS)
	@rm -f $@
	$(Q)ar rcsT $@ $^

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/host/libsevisor.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -Itests/unit $< $(BUILD)/host/libsevisor.a -lcmocka -o $@

# ---- set-up -----------------------------------------------------------------------------------
# Debian packages the build and the tests need. Installed only when something is missing.
DEB_PKGS := gcc make binutils nasm gnu-efi qemu-system-x86 ovmf mtools dosfstools gdisk \
	libcmocka-dev python3-pytest python3-pytest-xdist clang cpio
deps:
	@tools/deps.sh $(DEB_PKGS)
	@tools/fetch_linux.sh $(BUILD)/linux

# ---- entry points ------------------------------------------------------------------------------
run: deps
	$(MAKE) image
	tools/run_qemu.sh $(BUILD)/sevisor.img

unit: $(UNIT_BINS)
	@tools/run_unit.sh $(UNIT_BINS)

integration: all $(GUEST_ELFS) $(LINUX_FILES)
	/usr/bin/python3 -m pytest -q -n 2 tests/integration

# kvm-unit-tests conformance (tests/conformance/kut.py): KUT_SRC is a kvm-unit-tests source
# tarball or tree, built once into $(BUILD)/kut. Without it the run is skipped, not failed.
KUT_SRC ?=
KUT_OUT := $(BUILD)/kut
conformance: all
ifeq ($(strip $(KUT_SRC)),)
	@echo "conformance: skipped: no kvm-unit-tests; run with KUT_SRC=<kvm-unit-tests tarball or tree> (https://gitlab.com/kvm-unit-tests/kvm-unit-tests, or ../shared/third_party/ in this project)"
else
	@tools/kut_build.sh $(KUT_SRC) $(KUT_OUT)
	/usr/bin/python3 tests/conformance/kut.py $(KUT_OUT)/kvm-unit-tests
endif

test: deps
	$(MAKE) unit
	$(MAKE) fuzz-smoke
	$(MAKE) integration
	$(MAKE) bench-check
	$(MAKE) conformance

include tests/fuzz/fuzz.mk
include tests/bench/bench.mk

clean:
	rm -rf $(BUILD)

.PHONY: all image run unit integration conformance test deps clean
.DELETE_ON_ERROR:
# gcc -MMD names a unit test's dependency file after the binary (build/unit/test_x.d).
-include $(EFI_OBJS:.o=.d) $(HOST_OBJS:.o=.d) $(UNIT_BINS:=.d)
