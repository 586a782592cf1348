# Exit-path instruction counts under QEMU -icount (filled in later).
bench:
	@echo "bench: not written yet"; exit 1
.PHONY: bench
