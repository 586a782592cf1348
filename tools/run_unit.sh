#!/usr/bin/env bash
# Runs every unit-test binary and prints one closing line: "N passed, N failed".
set -u
passed=0 failed=0 failed_names=()
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	echo "$out" | grep -E '^\[  (PASSED|FAILED) \]|^\[  ERROR   \]' | sed "s|^|$(basename "$t"): |"
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | head -1)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | head -1)
	passed=$((passed + ${p:-0}))
	if [ $rc -ne 0 ]; then
		failed=$((failed + ${f:-1}))
		failed_names+=("$(basename "$t")")
		echo "$out" | tail -40
	fi
done
echo "unit: ${passed} passed, ${failed} failed"
[ $failed -eq 0 ] || { echo "failing: ${failed_names[*]}"; exit 1; }
