#!/usr/bin/python3
"""Where sevisor's instructions go for one bench path: a per-function instruction profile.

    tests/bench/profile.py plain cpuid0        (or: soft-es ghcb_cpuid, ...; paths: bench_guest.c)

Boots sevisor once to learn where the firmware loaded it, then twice more, in parallel, under
`-icount shift=0` with QEMU's `-d exec,nochain` limited (-dfilter) to sevisor's image less
memset: with the bench guest running only that path (`cmdline = only=NAME`), and running none.
exec logs every block executed; its length comes from the disassembly, and it is charged to
the sevisor function it starts in (figures are approximate: a block cut short by an exit or
an interrupt counts whole). The second run's counts
are subtracted from the first's and the rest divided by the number of timed rounds, so the
figures read as instructions per exit. A development tool: not part of make bench or make test.
"""
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import sevisor_qemu  # noqa: E402

ROUNDS = 63 + 48  # exits per path: BENCH_ROUNDS + BENCH_WARMUP in bench_guest.c
SO = os.path.join(sevisor_qemu.BUILD, "sevisor.so")


def symbols():
    """(address, size, name) of every code symbol; assembly ones have no size (0)."""
    out = subprocess.run(["nm", "-S", "--defined-only", SO], capture_output=True, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2].lower() in ("t", "w"):
            syms.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
        elif len(parts) == 3 and parts[1].lower() == "t":
            syms.append((int(parts[0], 16), 0, parts[2]))
    syms.sort()
    return syms


# Instructions after which QEMU ends a translation block (under -icount also every I/O-like
# one: RDTSC, port I/O, MSR and CR access, and each iteration of a REP string instruction).
TB_ENDERS = re.compile(r"^(j|call|ret|iret|loop|syscall|sysret|hlt|vm|clgi|stgi|sti|rdtsc|in|out|"
                       r"rdmsr|wrmsr|mov\s+%cr|mov\s+.*,%cr|rep|int|ud2|lgdt|lidt|ltr|xgetbv|cpuid)")


def tb_sizes():
    """Offset of each instruction in sevisor.so -> instructions in a block starting there."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", SO], capture_output=True,
                         text=True, check=True).stdout
    insns = []
    for line in out.splitlines():
        m = re.match(r"\s+([0-9a-f]+):\s+(\S.*)$", line)
        if m:
            insns.append((int(m.group(1), 16), m.group(2).strip()))
    sizes = {}
    run = 0
    for off, text in reversed(insns):
        run = 1 if TB_ENDERS.match(text) else run + 1
        sizes[off] = run
    return sizes


def profile_log(qlog, base, sizes):
    """pc of each executed block -> instructions executed there. A block's length is taken
    from the disassembly (up to the next instruction that ends a block), not from QEMU's
    in_asm log, where one address can have been translated more than once with different
    lengths."""
    counts = collections.Counter()
    with open(qlog, errors="replace") as f:
        for line in f:
            mm = re.match(r"Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/", line)
            if mm:
                counts[int(mm.group(1), 16)] += 1
    return {pc: n * sizes.get(pc - base, 1) for pc, n in counts.items()}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("plain", "soft-es"):
        raise SystemExit(__doc__)
    mode, path = sys.argv[1:]
    kernel = "bench.elf" if mode == "plain" else "es_bench.elf"
    syms = symbols()
    memset = next(s for s in syms if s[2] == "memset")

    def config(only):
        return (f"[sevisor]\nlog = com1\nlog_level = info\non_finish = debug-exit\n\n"
                f"[guest bench]\nkernel = guests/{kernel}\ncmdline = only={only}\nmemory = 4M\n"
                f"mode = {mode}\n")

    with tempfile.TemporaryDirectory() as d:
        files = [os.path.join(sevisor_qemu.GUESTS, kernel)]
        imgs = {}
        for only in (path, "none"):
            os.makedirs(os.path.join(d, only))
            imgs[only] = sevisor_qemu.build_image(os.path.join(d, only), config(only), files)
        first = sevisor_qemu.boot(imgs["none"], extra=("-icount", "shift=0,sleep=off"))
        m = re.search(r"sevisor image at 0x([0-9a-f]+)-0x([0-9a-f]+)", first.log)
        if not m:
            raise SystemExit("no image address in the log:\n" + first.log[-3000:])
        base, end = int(m.group(1), 16), int(m.group(2), 16)
        ranges = [(base, base + memset[0]), (base + memset[0] + memset[1], end)]
        dfilter = ",".join(f"0x{a:x}..0x{b - 1:x}" for a, b in ranges)

        def run(only):
            sevisor_qemu.boot(imgs[only], extra=("-icount", "shift=0,sleep=off", "-d",
                                                 "exec,nochain", "-dfilter", dfilter,
                                                 "-D", os.path.join(d, only, "qemu.log")))
        threads = [threading.Thread(target=run, args=(o,)) for o in imgs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        sizes = tb_sizes()
        with_path = profile_log(os.path.join(d, path, "qemu.log"), base, sizes)
        without = profile_log(os.path.join(d, "none", "qemu.log"), base, sizes)
    addrs = [s[0] for s in syms]
    per_fn = collections.Counter()
    for sign, prof in ((1, with_path), (-1, without)):
        for pc, n in prof.items():
            i = bisect.bisect_right(addrs, pc - base) - 1
            per_fn[syms[i][2] if i >= 0 else "?"] += sign * n
    total = sum(per_fn.values())
    print(f"{mode}.{path}: {total / ROUNDS:,.1f} sevisor instructions per round "
          f"(memset excluded)")
    for name, n in sorted(per_fn.items(), key=lambda kv: -abs(kv[1]))[:40]:
        if n:
            print(f"{n / ROUNDS:10,.1f}  {name}")


if __name__ == "__main__":
    main()
