#!/usr/bin/python3
"""kvm-unit-tests conformance run: every x86 test that passes on bare QEMU TCG must pass under
sevisor (plain mode, default configuration), except the expected failures.

    kut.py KUT_TREE [--tests a,b,...] [--logs DIR]

KUT_TREE is a built kvm-unit-tests tree (tools/kut_build.sh). The tests come from
kut_baseline.txt (the bare-TCG passes), their arguments from KUT_TREE/x86/unittests.cfg
(test_args; a `-m` in qemu_params), the expected failures from kut_expected_failures.txt.
Many tests share one sevisor boot (one [guest] section each, `expect = 0`), and the boots run in
parallel through the machine's QEMU slots (tests/integration/sevisor_qemu.py). A per-test table
goes to stdout; the exit status is 1 when a bare-TCG pass does not pass under sevisor (or an
expected failure passes: then its line must go), else 0.

Why a script and not a pytest file: the run is one set of boots judged as a whole, whose product
is the table; pytest-xdist workers cannot share one set of boots between test items, and the
table would be hidden by pytest's output capture.
"""
import argparse
import concurrent.futures
import os
import re
import shlex
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from sevisor_qemu import boot_config  # noqa: E402

BASELINE = os.path.join(HERE, "kut_baseline.txt")
EXPECTED_FAILURES = os.path.join(HERE, "kut_expected_failures.txt")

# What the bare-TCG baseline gave every test (../shared/third_party/README.md): -m 256, a 60 s
# limit (sieve 180 s, its unittests.cfg timeout).
DEFAULT_MEMORY = "256M"
DEFAULT_TIMEOUT_S = 60
# The time limit only guards against a hang, and TCG guest time follows the host clock, which a
# busy machine stretches: a passing test gets TIMEOUT_FACTOR times its limit so that a verdict
# never depends on host load (sieve takes ~95 s of its 180 s on an idle 2-core machine). An
# expected failure keeps the plain limit, since it may well run into it (eventinj waits for an
# interrupt that never comes).
TIMEOUT_FACTOR = 3
# Guests per boot: at most boot/config.h CFG_MAX_GUESTS; fewer keeps the boots even.
MAX_GUESTS_PER_BOOT = 16
# One boot per QEMU slot (tests/integration/sevisor_qemu.py): every boot starts at once.
BOOTS = int(os.environ.get("SEVISOR_QEMU_SLOTS", "2"))
# For sharing the tests out between boots only (never for a verdict): most tests end in a few
# seconds; a test with a longer time limit (sieve) or an expected failure (which may well run
# into its limit) is counted at its limit.
NOMINAL_S = 5

# kvm-unit-tests exit codes (README beside the tarball): what a guest exit code means.
EXIT_MEANING = {0: "pass", 1: "fail", 38: "skip", 63: "abort"}
# The guest line that says what went wrong first: a failed check, an unhandled exception, an abort.
PROBLEM = re.compile(r"^(FAIL:|Unhandled exception|.*[Aa]ssert|.*[Aa]bort)")


def read_list(path):
    """Non-comment lines as (first word, rest of the line)."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, rest = line.partition(" ")
                out.append((name, rest.strip()))
    return out


def parse_unittests_cfg(path):
    """unittests.cfg: '[name]' sections of 'key = value' lines -> {name: {key: value}}."""
    tests, cur = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^\[(.+)\]$", line)
            if m:
                cur = tests.setdefault(m.group(1), {})
            elif cur is not None and "=" in line:
                k, v = line.split("=", 1)
                cur[k.strip()] = v.strip()
    return tests


class Test:
    def __init__(self, name, section):
        self.name = name
        self.flat = section.get("file", f"{name}.flat")
        args = section.get("test_args", "")
        self.args = " ".join(shlex.split(args)) if args else ""
        self.smp = int(section.get("smp", "1"))
        qp = shlex.split(section.get("qemu_params", ""))
        self.memory = qp[qp.index("-m") + 1].upper() if "-m" in qp else DEFAULT_MEMORY
        if self.memory[-1].isdigit():
            self.memory += "M"  # QEMU's -m unit
        self.timeout = int(section.get("timeout", DEFAULT_TIMEOUT_S))
        self.limit = self.timeout * TIMEOUT_FACTOR
        # Filled by the run.
        self.result = None
        self.summary = None
        self.first_problem = None
        self.skipped = []

    def guest_section(self):
        lines = [f"[guest {self.name}]", f"kernel = guests/{self.flat}", f"memory = {self.memory}",
                 f"timeout = {self.limit}s", "expect = 0"]
        if self.args:
            lines.append(f"cmdline = {self.args}")
        return "\n".join(lines) + "\n"


CFG_HEAD = """[sevisor]
log = com1
log_level = info
on_finish = debug-exit

"""


def split_boots(tests, n, expected):
    """Longest first, each to the boot with the least work so far (at most MAX_GUESTS_PER_BOOT)."""
    n = max(n, -(-len(tests) // MAX_GUESTS_PER_BOOT))
    cost = {t.name: t.timeout if t.timeout > DEFAULT_TIMEOUT_S or t.name in expected else NOMINAL_S
            for t in tests}
    boots, load = [[] for _ in range(n)], [0] * n
    for t in sorted(tests, key=lambda t: -cost[t.name]):
        i = min((i for i in range(n) if len(boots[i]) < MAX_GUESTS_PER_BOOT), key=lambda i: load[i])
        boots[i].append(t)
        load[i] += cost[t.name]
    return [b for b in boots if b]


def run_boot(idx, tests, kut_tree, log_dir):
    flats = sorted({os.path.join(kut_tree, "x86", t.flat) for t in tests})
    cfg = CFG_HEAD + "\n".join(t.guest_section() for t in tests)
    # A boot is as long as its guests together, plus OVMF and sevisor start-up.
    limit = sum(t.limit for t in tests) + 120
    with tempfile.TemporaryDirectory(prefix="kut-") as d:
        run = boot_config(d, cfg, flats, timeout=limit)
    with open(os.path.join(log_dir, f"boot{idx}.log"), "w") as f:
        f.write(run.log)
    for t in tests:
        for kind, rec in run.lines:
            if kind == "result" and rec.get("guest") == t.name:
                t.result = rec
        # The guest's console lines: "[ info] [NAME] text".
        out = re.findall(rf"^\[[ a-z]+\] \[{re.escape(t.name)}\] (.*)$", run.log, re.M)
        t.summary = next((x for x in reversed(out) if x.startswith("SUMMARY:")), None)
        t.first_problem = next((x for x in out if PROBLEM.search(x)), None)
        t.skipped = [x for x in out if x.startswith("SKIP:") or x.endswith("(skipped)")]
    return run


def sevisor_column(t):
    r = t.result
    if r is None:
        return "not run"
    out = r.get("outcome", "")
    if out.startswith("exit:"):
        code = int(out[5:])
        return EXIT_MEANING.get(code, f"exit {code}")
    return "terminated"


def reason_column(t, expected_reason):
    parts = []
    if expected_reason:
        parts.append(f"expected failure: {expected_reason}")
    r = t.result
    if r is None:
        parts.append("no result line: the boot ended early (see the boot log)")
    elif r.get("verdict") != "pass":
        if r.get("outcome") == "terminated":
            parts.append(r.get("reason", ""))
        elif t.first_problem:
            parts.append(t.first_problem)
        elif t.summary:
            parts.append(t.summary)
    if t.smp > 1:
        # The bare-TCG baseline ran these with -smp 1 too: the same test, the same CPU count.
        parts.append(f"unittests.cfg asks smp={t.smp}; 1 vCPU here as in the baseline")
    if t.skipped:
        parts.append("skipped inside: " + ", ".join(t.skipped[:3]))
    return "; ".join(p for p in parts if p)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kut_tree")
    ap.add_argument("--tests", help="comma-separated subset of the baseline")
    ap.add_argument("--logs", default=None, help="where the boot logs go (default: KUT_TREE/../logs)")
    a = ap.parse_args()
    started = time.monotonic()

    cfg = parse_unittests_cfg(os.path.join(a.kut_tree, "x86", "unittests.cfg"))
    baseline = [n for n, _ in read_list(BASELINE)]
    expected = dict(read_list(EXPECTED_FAILURES))
    names = a.tests.split(",") if a.tests else baseline
    tests = [Test(n, cfg.get(n, {})) for n in names]
    missing = [t.flat for t in tests if not os.path.exists(os.path.join(a.kut_tree, "x86", t.flat))]
    if missing:
        print(f"kut: not built in {a.kut_tree}: {' '.join(sorted(set(missing)))}")
        return 1
    log_dir = a.logs or os.path.join(os.path.dirname(os.path.abspath(a.kut_tree)), "logs")
    os.makedirs(log_dir, exist_ok=True)

    for t in tests:
        if t.name in expected:
            t.limit = t.timeout
    boots = split_boots(tests, BOOTS, expected)
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(boots)) as pool:
        runs = list(pool.map(lambda ib: run_boot(ib[0], ib[1], a.kut_tree, log_dir), enumerate(boots)))

    rows, bad = [], []
    for t in tests:
        tcg = "pass" if t.name in baseline else "-"
        sev = sevisor_column(t)
        why = reason_column(t, expected.get(t.name))
        if t.name in baseline:
            if t.name in expected and sev == "pass":
                bad.append(t.name)
                why = f"passes now: remove it from {os.path.basename(EXPECTED_FAILURES)}"
            elif t.name not in expected and sev != "pass":
                bad.append(t.name)
        rows.append((t.name, tcg, sev, why))

    w = [max(len(r[i]) for r in rows + [("test", "bare TCG", "sevisor", "")]) for i in range(3)]
    print(f"{'test':<{w[0]}}  {'bare TCG':<{w[1]}}  {'sevisor':<{w[2]}}  reason")
    for r in rows:
        print(f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{w[2]}}  {r[3]}")
    passed = sum(1 for r in rows if r[2] == "pass")
    xfail = sum(1 for t in tests if t.name in expected and t.name not in bad)
    statuses = ", ".join(f"boot{i}: status {r.status}" for i, r in enumerate(runs))
    print(f"kut: {passed} of {len(rows)} pass under sevisor, {xfail} expected failure(s), "
          f"{len(bad)} unexpected; {len(boots)} boots ({statuses}) in {time.monotonic() - started:.0f} s; "
          f"logs in {log_dir}")
    if bad:
        print(f"kut: FAILED: {' '.join(bad)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
