#!/usr/bin/env bash
# run_qemu.sh IMAGE [extra QEMU args...]
#
# Boots IMAGE as a USB stick in QEMU (TCG with -icount unless QEMU_ACCEL=kvm, q35, -cpu EPYC,+svm unless QEMU_CPU says otherwise,
# OVMF as pflash), streams the console, and exits with sevisor's own status: sevisor writes its
# status v to isa-debug-exit, QEMU exits with (v << 1) | 1, and this script turns that back into
# v, or 0 when v is SEVISOR_STATUS_OK (1). A QEMU failure of its own exits 125; a timeout 124.
set -uo pipefail
img=$1
shift
cpu=${QEMU_CPU:-EPYC,+svm}
accel=${QEMU_ACCEL:-tcg} # kvm for nested KVM (with QEMU_CPU=host)
mem=${QEMU_MEM:-512M}
timeout_s=${QEMU_TIMEOUT:-300}
# Under TCG the clock is QEMU's instruction counter (the TSC, PIT, HPET and LAPIC timer advance
# one nanosecond per instruction; an idle CPU skips to its next timer): a guest that times its
# TSC against an emulated PIT, as Linux does, then gets the same answer whatever the host's
# speed and load, where host time would charge it each emulated port read's VMRUN round trip
# (tests/integration/test_linux.py). QEMU_ICOUNT=off keeps host time.
icount=()
if [ "$accel" = tcg ] && [ "${QEMU_ICOUNT:-shift=0,sleep=off}" != off ]; then
	icount=(-icount "${QEMU_ICOUNT:-shift=0,sleep=off}")
fi
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
vars=$(mktemp /tmp/sevisor-vars.XXXXXX)
trap 'rm -f "$vars"' EXIT
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
timeout --foreground "$timeout_s" qemu-system-x86_64 -machine q35 -accel "$accel" -cpu "$cpu" -m "$mem" -smp 1 \
	-drive if=pflash,format=raw,unit=0,readonly=on,file="$ovmf_code" \
	-drive if=pflash,format=raw,unit=1,file="$vars" \
	-device qemu-xhci,id=xhci \
	-drive if=none,id=stick,format=raw,snapshot=on,file="$img" \
	-device usb-storage,bus=xhci.0,drive=stick,removable=on \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-nodefaults -display none -serial stdio -no-reboot "${icount[@]}" "$@"
rc=$?
if [ $rc -eq 124 ]; then
	echo "run_qemu: timed out after ${timeout_s}s" >&2
	exit 124
fi
if [ $(( rc & 1 )) -eq 1 ] && [ $rc -gt 1 ]; then
	status=$(( rc >> 1 ))
	echo "run_qemu: sevisor finished with status $status" >&2
	[ $status -eq 1 ] && exit 0
	exit $status
fi
echo "run_qemu: QEMU exited with $rc without a sevisor status" >&2
exit 125
