#!/usr/bin/env bash
# Runs a command (a QEMU boot) once one of the machine's QEMU slots is free; the same slots as
# tests/integration/sevisor_qemu.py (SEVISOR_QEMU_SLOTS, default 2, flock()ed files in /tmp).
set -u
dir=/tmp/sevisor-qemu-slots
n=${SEVISOR_QEMU_SLOTS:-2}
mkdir -p "$dir"
while :; do
	for ((i = 0; i < n; i++)); do
		exec {fd}>"$dir/slot$i"
		if flock -n "$fd"; then
			"$@"
			exit $?
		fi
		exec {fd}>&-
	done
	flock "$dir/slot0" true
done
