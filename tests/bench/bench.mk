# Exit-path and boot cost as instruction counts under QEMU -icount (tests/bench/bench.py).
#
#   make bench        boots sevisor once with the bench guest in plain and soft-es mode and
#                     prints the table and `@sevisor bench key=value` lines
#   make bench-check  the same, and fails when a figure exceeds tests/bench/budget.txt
#                     (part of `make test`; the counts are deterministic, not timings)
#
# Included by the top-level Makefile after tests/guests/guests.mk (GUEST_* variables).

BENCH_SRC := tests/bench
BENCH_ELFS := $(GUEST_OUT)/bench.elf $(GUEST_OUT)/es_bench.elf

$(GUEST_OUT)/prog/bench_guest.o: $(BENCH_SRC)/bench_guest.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

# One program, two entries: plain, and SEV-ES (the GHCB runtime) for the soft-es run.
$(GUEST_OUT)/bench.elf64: $(GUEST_OUT)/prog/bench_guest.o $(GUEST_OUT)/rt/entry.o $(GUEST_RT_OBJS) \
		$(GUEST_RT_SRC)/guest.ld
	ld $(GUEST_LDFLAGS) $(filter %.o,$^) -o $@

$(GUEST_OUT)/es_bench.elf64: $(GUEST_OUT)/prog/bench_guest.o $(GUEST_OUT)/rt/entry_es.o \
		$(GUEST_RT_OBJS) $(GUEST_RT_SRC)/guest.ld
	ld $(GUEST_LDFLAGS) $(filter %.o,$^) -o $@

.SECONDARY: $(BENCH_ELFS:.elf=.elf64) $(GUEST_OUT)/prog/bench_guest.o

bench: all $(BENCH_ELFS)
	/usr/bin/python3 $(BENCH_SRC)/bench.py

bench-check: all $(BENCH_ELFS)
	/usr/bin/python3 $(BENCH_SRC)/bench.py --check $(BENCH_SRC)/budget.txt

.PHONY: bench bench-check
-include $(GUEST_OUT)/prog/bench_guest.d
