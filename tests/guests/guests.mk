# Guest programs: small Multiboot v1 kernels that judge sevisor from inside a guest.
#
# Each program is one C file in tests/guests/ linked with the runtime in tests/guests/runtime/.
# Programs named es_* are SEV-ES guests: same runtime, but the SEV-ES entry (GHCB MSR protocol,
# C-bit in the page tables) and the #VC handler. Images are linked as ELF64 at 1 MiB and then
# converted to ELF32 with the 64-bit code inside, the shape of kvm-unit-tests' .flat files, so
# that both sevisor's loader and QEMU's own `-kernel` Multiboot loader take them.
#
# Included by the top-level Makefile, which defines BUILD. Defines GUEST_ELFS.

GUEST_SRC := tests/guests
GUEST_RT_SRC := $(GUEST_SRC)/runtime
GUEST_OUT := $(BUILD)/guests

GUEST_PLAIN := cpuid hlt idle reset portio gp_inject triple_fault unmapped loop msr_bad modes lm_roundtrip \
	emulation
GUEST_ES := es_negotiate es_cpuid es_portio es_msr es_register es_malformed es_term_msr \
	es_term_ghcb es_msr_unknown es_modes es_lm_roundtrip es_nae es_unsupported es_ap_hold
GUEST_ELFS := $(foreach g,$(GUEST_PLAIN) $(GUEST_ES),$(GUEST_OUT)/$(g).elf)

GUEST_CFLAGS := -std=gnu11 -m64 -O2 -g -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -nostdlib -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fno-tree-loop-distribute-patterns -fno-strict-aliasing \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-I$(GUEST_RT_SRC) -MMD -MP
GUEST_LDFLAGS := -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T $(GUEST_RT_SRC)/guest.ld

GUEST_RT_C := $(sort $(wildcard $(GUEST_RT_SRC)/*.c))
GUEST_RT_OBJS := $(GUEST_RT_C:$(GUEST_RT_SRC)/%.c=$(GUEST_OUT)/rt/%.o) $(GUEST_OUT)/rt/exc_stubs.o

guests: $(GUEST_ELFS)

$(GUEST_OUT)/rt/%.o: $(GUEST_RT_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/rt/exc_stubs.o: $(GUEST_RT_SRC)/exc_stubs.asm
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -Werror $< -o $@

$(GUEST_OUT)/rt/entry.o: $(GUEST_RT_SRC)/entry.asm
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -Werror $< -o $@

$(GUEST_OUT)/rt/entry_es.o: $(GUEST_RT_SRC)/entry.asm
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -Werror -DSEV_ES $< -o $@

$(GUEST_OUT)/prog/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/prog/%.o: $(GUEST_SRC)/%.asm
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -Werror $< -o $@

# Link: the SEV-ES entry for es_* (the shorter stem wins in GNU make), the plain one otherwise.
$(GUEST_OUT)/es_%.elf64: $(GUEST_OUT)/prog/es_%.o $(GUEST_OUT)/rt/entry_es.o $(GUEST_RT_OBJS) \
		$(GUEST_RT_SRC)/guest.ld
	ld $(GUEST_LDFLAGS) $(filter %.o,$^) -o $@

$(GUEST_OUT)/%.elf64: $(GUEST_OUT)/prog/%.o $(GUEST_OUT)/rt/entry.o $(GUEST_RT_OBJS) \
		$(GUEST_RT_SRC)/guest.ld
	ld $(GUEST_LDFLAGS) $(filter %.o,$^) -o $@

# modes walks the CPU through real mode with help from assembly.
$(GUEST_OUT)/modes.elf64 $(GUEST_OUT)/es_modes.elf64: $(GUEST_OUT)/prog/modes_tramp.o
# lm_roundtrip leaves long mode and comes back through assembly.
$(GUEST_OUT)/lm_roundtrip.elf64 $(GUEST_OUT)/es_lm_roundtrip.elf64: $(GUEST_OUT)/prog/lm_roundtrip_walk.o

$(GUEST_OUT)/%.elf: $(GUEST_OUT)/%.elf64
	objcopy -O elf32-i386 $< $@

# Keep the objects and the ELF64 images (handy with objdump), which make would see as
# intermediate files of the pattern chain and delete.
.SECONDARY: $(GUEST_ELFS:.elf=.elf64) $(GUEST_RT_OBJS) $(GUEST_OUT)/rt/entry.o \
	$(GUEST_OUT)/rt/entry_es.o $(GUEST_OUT)/prog/modes_tramp.o $(GUEST_OUT)/prog/lm_roundtrip_walk.o \
	$(foreach g,$(GUEST_PLAIN) $(GUEST_ES),$(GUEST_OUT)/prog/$(g).o)
.PHONY: guests
-include $(wildcard $(GUEST_OUT)/rt/*.d $(GUEST_OUT)/prog/*.d)
