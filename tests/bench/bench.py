#!/usr/bin/python3
"""make bench: sevisor's exit-path and boot cost, as instruction counts.

Boots sevisor once in QEMU TCG with `-icount shift=0,sleep=off`: the virtual clock, and with it
the TSC, advances by one per executed instruction (and jumps straight to the next timer when
the CPU halts), so every figure is an instruction count; the exit-path figures are the same on
every run, the boot figure moves by under 1% (the firmware's USB reads complete on host time). The boot
runs the bench guest twice (tests/bench/bench_guest.c): plain, then soft-es, each with 64 MiB of
RAM; the guest prints its timings, sevisor prints the boot figure (efi_main to the first VMRUN,
the TSC calibration wait excluded), and the image size comes from build/sevisor.efi.

Prints one table and one `@sevisor bench key=value` line per figure. With --check BUDGET, exits
1 when a figure is missing or exceeds its budget, and lists the goals not met yet (BUDGET:
`key budget goal` per line, `#` comments; see tests/bench/budget.txt).
"""
import argparse
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import sevisor_qemu  # noqa: E402

GUEST_MEM = "64M"
CFG = f"""[sevisor]
log = com1
log_level = info
on_finish = debug-exit

[guest bench]
kernel = guests/bench.elf
memory = {GUEST_MEM}

[guest es_bench]
kernel = guests/es_bench.elf
mode = soft-es
memory = {GUEST_MEM}
"""

# key, what it is, KVM 6.1 nested under the same TCG (from issue 12) or None.
ROWS = [
    ("plain.cpuid0", "plain CPUID leaf 0", 3068),
    ("plain.cpuid1", "plain CPUID leaf 1", None),
    ("plain.out", "plain OUT to an emulated port (UART scratch)", 3497),
    ("plain.in", "plain IN from an emulated port (UART scratch)", None),
    ("plain.rdmsr", "plain RDMSR of a modelled MSR (PAT)", None),
    ("plain.wrmsr", "plain WRMSR of a modelled MSR (PAT)", None),
    ("soft-es.vc_cpuid", "soft-es #VC reflection, CPUID", None),
    ("soft-es.vc_out", "soft-es #VC reflection, OUT", None),
    ("soft-es.ghcb_cpuid", "soft-es VMGEXIT, GHCB page, CPUID", None),
    ("soft-es.msr_sev_info", "soft-es VMGEXIT, MSR protocol SEV_INFO", None),
]

BENCH_RE = re.compile(r"BENCH (\S+) min=(\d+) median=(\d+) max=(\d+)")


def measure():
    with tempfile.TemporaryDirectory() as d:
        files = [os.path.join(sevisor_qemu.GUESTS, f) for f in ("bench.elf", "es_bench.elf")]
        run = sevisor_qemu.boot_config(d, CFG, files, extra=("-icount", "shift=0,sleep=off"),
                                       timeout=600)
    figures = {}
    for m in BENCH_RE.finditer(run.log):
        key = m.group(1)
        figures[key + ".min"] = int(m.group(2))
        figures[key + ".median"] = int(m.group(3))
        figures[key + ".max"] = int(m.group(4))
    boot = run.records("boot")
    if boot:
        figures["boot.insns"] = int(boot[0]["first_vmrun_tsc"]) - int(boot[0]["calibration_tsc"])
    figures["image.bytes"] = os.path.getsize(sevisor_qemu.EFI)
    problems = []
    for guest in ("bench", "es_bench"):
        try:
            r = run.result(guest)
            if r.get("verdict") != "pass":
                problems.append(f"guest {guest}: verdict {r.get('verdict')} ({r.get('reason', '')})")
        except AssertionError:
            problems.append(f"guest {guest}: no result line")
    if problems:
        sys.stderr.write(run.log[-6000:] + "\n")
    return figures, problems


def fmt(n):
    return "-" if n is None else f"{n:,}"


def table(figures):
    lines = ["| path | min | median | KVM 6.1 nested, same TCG |", "|---|---:|---:|---:|"]
    for key, what, kvm in ROWS:
        lines.append(f"| {what} | {fmt(figures.get(key + '.min'))} | "
                     f"{fmt(figures.get(key + '.median'))} | {fmt(kvm)} |")
    lines.append(f"| boot: efi_main to first VMRUN, {GUEST_MEM} guest, calibration excluded | "
                 f"{fmt(figures.get('boot.insns'))} | | |")
    lines.append(f"| build/sevisor.efi, bytes | {fmt(figures.get('image.bytes'))} | | |")
    return "\n".join(lines)


def read_budget(path):
    """key -> (budget, goal)."""
    budget = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
                raise SystemExit(f"{path}:{n}: expected 'key budget goal'")
            budget[parts[0]] = (int(parts[1]), int(parts[2]))
    return budget


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", metavar="BUDGET", help="fail when a figure exceeds its budget")
    args = ap.parse_args()
    figures, problems = measure()
    print(table(figures))
    for key in sorted(figures):
        print(f"@sevisor bench {key}={figures[key]}")
    if args.check:
        for key, (limit, goal) in read_budget(args.check).items():
            got = figures.get(key)
            if got is None:
                problems.append(f"{key}: not measured (budget {limit:,})")
            elif got > limit:
                problems.append(f"{key}: {got:,} exceeds the budget of {limit:,}")
            else:
                print(f"bench: {key} {got:,} <= budget {limit:,}"
                      + ("" if got <= goal else f" (goal {goal:,} not met yet)"))
    for p in problems:
        print(f"bench: FAIL {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
