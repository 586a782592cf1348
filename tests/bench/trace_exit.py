#!/usr/bin/python3
"""Every instruction sevisor executes for one exit of a bench path, single-stepped.

    tests/bench/trace_exit.py plain cpuid0 [--skip N] [--handler h_cpuid]

Boots sevisor with one bench guest running only that path (`cmdline = only=NAME`), first
plainly to learn where the firmware loaded sevisor, then under QEMU's gdbstub. gdb lets the
start function (`--handler`) run `--skip` times (the guest's warm-up), then single-steps from
its next call to the next VMRUN, recording each instruction. Prints the count per function and
the total: the exact path of the rest of one exit. What runs before the start function (the
world switch's return half, the host-state check, the run loop up to dispatch) is the same for
every exit of a mode: trace it with --handler svm_world_switch_exited (the return half's first
instruction): that traces a whole exit, VMRUN to VMRUN. --listing prints every instruction
with its disassembly. A development tool: not part of make bench or make test.
"""
import argparse
import collections
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import sevisor_qemu  # noqa: E402
from profile import symbols, SO  # noqa: E402

GDB_SCRIPT = r"""
import gdb
gdb.execute("set pagination off")
import time
for _ in range(600):  # QEMU may wait for a slot first
    try:
        gdb.execute("target remote :{port}")
        break
    except gdb.error:
        time.sleep(1)
gdb.execute("break *{stop:#x}")
for _ in range({skip}):
    gdb.execute("continue", to_string=True)
gdb.execute("delete")
pcs = []
for _ in range(20000):
    pc = int(gdb.parse_and_eval("$pc"))
    pcs.append(pc)
    if pc == {vmrun:#x}:
        break
    gdb.execute("stepi", to_string=True)
with open("{trace}", "w") as out:
    out.write(" ".join("%x" % pc for pc in pcs))
gdb.execute("kill")
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("plain", "soft-es"))
    ap.add_argument("path")
    ap.add_argument("--skip", type=int, default=60, help="handler hits to let pass first")
    ap.add_argument("--handler", default=None,
                    help="function to start in (default: svm_handle_exit for plain, "
                         "svm_soft_es_after_exit for soft-es)")
    ap.add_argument("--listing", action="store_true",
                    help="also print every executed instruction with its disassembly")
    args = ap.parse_args()
    kernel = "bench.elf" if args.mode == "plain" else "es_bench.elf"
    handler = args.handler or ("svm_handle_exit" if args.mode == "plain" else "svm_soft_es_after_exit")
    syms = {name: addr for addr, _size, name in symbols()}
    dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", SO], capture_output=True,
                         text=True, check=True).stdout
    ws = dis[dis.index("<svm_world_switch>:"):]
    vmrun = int(re.search(r"\n\s+([0-9a-f]+):\s+vmrun", ws).group(1), 16)
    cfg = (f"[sevisor]\nlog = com1\nlog_level = info\non_finish = debug-exit\n\n"
           f"[guest bench]\nkernel = guests/{kernel}\ncmdline = only={args.path}\nmemory = 4M\n"
           f"mode = {args.mode}\n")
    with tempfile.TemporaryDirectory() as d:
        img = sevisor_qemu.build_image(d, cfg, [os.path.join(sevisor_qemu.GUESTS, kernel)])
        first = sevisor_qemu.boot(img, extra=("-icount", "shift=0,sleep=off"))
        base = int(re.search(r"sevisor image at 0x([0-9a-f]+)", first.log).group(1), 16)
        port = free_port()
        trace = os.path.join(d, "trace.txt")
        script = os.path.join(d, "gdb.py")
        with open(script, "w") as f:
            f.write(GDB_SCRIPT.format(port=port, stop=base + syms[handler], skip=args.skip,
                                      vmrun=base + vmrun, trace=trace))
        vars_fd = os.path.join(d, "vars.fd")
        shutil.copy(sevisor_qemu.OVMF_VARS, vars_fd)
        # One of the machine's QEMU slots, like every other boot (tools/qemu_slot.sh); its own
        # session, so that the kill below ends the slot script and QEMU together.
        qemu = subprocess.Popen([
            os.path.join(ROOT, "tools", "qemu_slot.sh"), "qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-cpu", "EPYC,+svm",
            "-m", "512M", "-smp", "1", "-icount", "shift=0,sleep=off",
            "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={sevisor_qemu.OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,unit=1,file={vars_fd}",
            "-device", "qemu-xhci,id=xhci",
            "-drive", f"if=none,id=stick,format=raw,snapshot=on,file={img}",
            "-device", "usb-storage,bus=xhci.0,drive=stick,removable=on",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-nodefaults", "-display", "none", "-serial", "null", "-no-reboot",
            "-gdb", f"tcp::{port}", "-S"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        try:
            subprocess.run(["gdb", "-batch", "-nx", "-x", script], capture_output=True,
                           timeout=900)
        finally:
            os.killpg(qemu.pid, signal.SIGKILL)
            qemu.wait()
        with open(trace) as f:
            pcs = [int(x, 16) - base for x in f.read().split()]
    addrs = sorted((a, n) for n, a in syms.items())
    import bisect
    keys = [a for a, _ in addrs]
    per_fn = collections.Counter()
    order = []
    for pc in pcs:
        i = bisect.bisect_right(keys, pc) - 1
        name = addrs[i][1] if i >= 0 else "?"
        per_fn[name] += 1
        if not order or order[-1] != name:
            order.append(name)
    print(f"{args.mode}.{args.path}: {len(pcs) - 1} instructions from {handler} to VMRUN")
    for name, n in per_fn.most_common():
        print(f"{n:6}  {name}")
    print("order: " + " > ".join(order))
    if args.listing:
        text = {}
        for line in dis.splitlines():
            m = re.match(r"\s+([0-9a-f]+):\s+(.*)", line)
            if m:
                text[int(m.group(1), 16)] = m.group(2).strip()
        for pc in pcs:
            i = bisect.bisect_right(keys, pc) - 1
            name = addrs[i][1] if i >= 0 else "?"
            print(f"{pc:8x}  {name:28.28} {text.get(pc, '?')}")


if __name__ == "__main__":
    main()
