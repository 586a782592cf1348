# libFuzzer targets (filled in by the GHCB work).
fuzz-smoke:
	@true
fuzz:
	@true
.PHONY: fuzz fuzz-smoke
