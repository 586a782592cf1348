"""Issues 3-5: sevisor runs a list of Multiboot guests in one boot and gives each a verdict.

One QEMU boot runs every plain guest program (the integration suite stays fast that way); each
test then checks one guest's @sevisor result line and the reason in the log.
"""
import os
import re

import pytest

from sevisor_qemu import GUESTS, boot_config, host_state_warning

PLAIN = ["cpuid", "hlt", "idle", "reset", "portio", "gp_inject", "triple_fault", "unmapped", "loop", "msr_bad", "modes",
         "lm_roundtrip", "emulation"]

CONFIG = """[sevisor]
log = com1,debugcon
log_level = debug
on_finish = debug-exit

[guest cpuid]
kernel = guests/cpuid.elf
[guest hlt]
kernel = guests/hlt.elf
[guest idle]
kernel = guests/idle.elf
timeout = 2s
expect = terminated
[guest reset]
kernel = guests/reset.elf
expect = reset
[guest portio]
kernel = guests/portio.elf
[guest gp_inject]
kernel = guests/gp_inject.elf
[guest triple_fault]
kernel = guests/triple_fault.elf
expect = terminated
[guest unmapped]
kernel = guests/unmapped.elf
expect = terminated
[guest unmapped_ignore]
kernel = guests/unmapped.elf
unbacked = ignore
# the guest reads all ones, so its own check that it was stopped fails: exit code 1
expect = 1
[guest loop]
kernel = guests/loop.elf
timeout = 2s
expect = terminated
[guest msr_bad]
kernel = guests/msr_bad.elf
[guest modes]
kernel = guests/modes.elf
[guest lm_roundtrip]
kernel = guests/lm_roundtrip.elf
[guest emulation]
kernel = guests/emulation.elf
# its last check loads across the end of RAM into unbacked space
unbacked = ignore
[guest bad_image]
kernel = guests/not_multiboot.elf
expect = terminated
[guest after_bad]
kernel = guests/cpuid.elf
memory = 32M
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("guests")
    junk = d / "not_multiboot.elf"
    junk.write_bytes(b"\x7fELF" + bytes(range(256)) * 40)
    files = [os.path.join(GUESTS, f"{g}.elf") for g in PLAIN] + [str(junk)]
    return boot_config(d, CONFIG, files)


def verdict(run, guest):
    return run.result(guest)["verdict"]


@pytest.mark.parametrize("guest", ["cpuid", "hlt", "portio", "gp_inject", "msr_bad", "modes", "lm_roundtrip",
                                   "emulation",
                                   "after_bad"])
def test_guest_passes(run, guest):
    r = run.result(guest)
    assert r["verdict"] == "pass", run.log
    assert r["outcome"] == "exit:0"
    assert f"[{guest}] SUMMARY:" in run.log


def test_cpuid_guest_sees_sevisor(run):
    assert "[cpuid] PASS" in run.log
    assert "[cpuid] FAIL" not in run.log


def test_gp_injected_into_guest_handler(run):
    assert "[gp_inject] PASS: gp_inject: WRMSR of MSR 0xc0011fff raises one #GP with error code 0" in run.log
    assert "[gp_inject] FAIL" not in run.log


def test_msr_bad_writes_each_get_one_gp(run):
    assert "[msr_bad] FAIL" not in run.log
    assert run.log.count("[msr_bad] PASS") >= 10


def test_triple_fault_terminates_and_next_guest_runs(run):
    r = run.result("triple_fault")
    assert r["verdict"] == "pass" and r["outcome"] == "terminated"
    assert r["reason"] == "triple fault (SHUTDOWN exit)"
    assert run.result("unmapped")["verdict"] == "pass"  # the next guest still ran


def test_unmapped_gpa_in_reason(run):
    r = run.result("unmapped")
    assert r["outcome"] == "terminated"
    assert "read of 4 bytes at GPA 0x80000000" in r["reason"]
    assert "unbacked = terminate" in r["reason"]


def test_unbacked_ignore_reads_all_ones_and_logs_once(run):
    r = run.result("unmapped_ignore")
    assert r["verdict"] == "pass" and r["outcome"] == "exit:1", run.log
    assert run.log.count("unbacked GPA 0x80000000 ignored (unbacked = ignore); logged once per page") == 1


def test_time_limit(run):
    r = run.result("loop")
    assert r["outcome"] == "terminated"
    assert r["reason"] == "time limit of 2000 ms reached (timeout key)"
    assert "[loop] loop: spinning forever" in run.log


def test_bad_image_rejected_before_start(run):
    r = run.result("bad_image")
    assert r["outcome"] == "terminated"
    assert "kernel guests/not_multiboot.elf rejected" in r["reason"]
    assert "Multiboot" in r["reason"] or "header" in r["reason"]
    assert r["exits"] == "0"


def test_unclaimed_port_logged_once(run):
    # Reads and writes of all sizes hit 0x6F0; one line for the port, however many accesses.
    assert run.log.count("guest portio: unclaimed port 0x06f0 (") == 1


def test_exit_trace_and_mode_transitions_logged(run):
    # Issue 4: the walk real -> protected -> long -> compatibility is logged once each.
    for t in ["entered real mode (CR0.PE=0)", "entered protected mode (CR0.PE=1)",
              "enabled paging (CR0.PG=1)", "entered long mode (EFER.LMA=1)",
              "entered compatibility mode (EFER.LMA=1, CS.L=0)", "left long mode (EFER.LMA=0)"]:
        assert run.log.count(f"guest modes vcpu0: {t}") == 1, t
    assert "guest modes vcpu0: exit #1 " in run.log


def test_summary_and_status(run):
    s = run.records("summary")[-1]
    assert s["guests"] == "16" and s["failed"] == "0", run.log
    assert run.status == 1
    assert "summary: guest            mode     verdict" in run.log


def test_idle_guest_sleeps(run):
    """`sti; hlt` forever with nothing to wake it: sevisor sleeps until the time limit instead of
    resuming the guest (issue 13: fewer than 100 exits per guest-second)."""
    r = run.result("idle")
    assert r["verdict"] == "pass", run.log
    assert "time limit" in r["reason"]
    seconds = int(r["time_ms"]) / 1000
    assert seconds >= 1.9
    assert int(r["exits"]) / seconds < 100, r


def test_reset_ends_the_guest_with_outcome_reset(run):
    r = run.result("reset")
    assert r["verdict"] == "pass" and r["outcome"] == "reset" and r["expect"] == "reset", r
    assert "port 0xCF9 = 0x06" in r["reason"]
    assert "[reset] FAIL" not in run.log


def test_hlt_guest_woken_by_interrupts(run):
    for what in ["one-shot timer woke", "periodic timer woke", "TSC-deadline timer woke",
                 "pending self-IPI taken", "TPR 0x20 holds back", "lowering the TPR delivers"]:
        assert f"[hlt] PASS: hlt: {what}" in run.log, run.log


# Issue 10 items 7-11: the emulation guest (tests/guests/emulation.c) checks from inside that
# prefixed intercepts resume after the whole instruction, single-stepping an emulated instruction
# gives one #DB, MMIO read-modify-write / string / LOCK / crossing forms work, and toggling
# CR4.PGE drops a global translation. Every check must have run (none skipped under sevisor).
EMULATION_CHECKS = [
    "CS-prefixed CPUID resumes after 3 bytes",
    "CS-prefixed RDMSR EFER resumes after 3 bytes",
    "rep vmmcall resumes after 4 bytes",
    "single-stepping an intercepted CPUID gives one #DB after it",
    "single-stepping an intercepted OUT gives one #DB after it",
    "AND and OR on the APIC SVR",
    "LOCK BTR/BTS on the SVR give the old bit in CF",
    "TEST and CMP read the SVR without writing it",
    "ADD with an APIC register as source",
    "XCHG with the APIC TPR",
    "REP MOVSL from RAM to the SVR",
    "REP MOVSL from the APIC to RAM",
    "REP STOSL to the SVR",
    "LOCK CMPXCHG on the SVR swaps when equal, loads EAX when not",
    "LOCK XADD on the TPR",
    "MOVSXD and REP LODSL from APIC registers",
    "byte MOVSX/MOVZX and LODSB from the TPR",
    "REP MOVSL from the APIC into an unmapped page takes one #PF there and resumes",
    "LMSW with a memory operand",
    "an 8-byte load across the end of RAM reads RAM then all ones",
    "toggling CR4.PGE drops a global translation",
]


@pytest.mark.parametrize("check", EMULATION_CHECKS)
def test_emulation_check_passes(run, check):
    assert f"[emulation] PASS: emulation: {check}" in run.log, run.log[-6000:]


def test_emulation_nothing_skipped_or_failed(run):
    assert "[emulation] FAIL" not in run.log and "[emulation] SKIP" not in run.log


def test_injected_exceptions_traced_and_counted(run):
    # The two single-step #DBs sevisor injected: traced at debug level, counted on the result line.
    assert re.search(r"guest emulation vcpu0: inject #\d+ #DB \(vector 1\) at RIP 0x", run.log), run.log[-4000:]
    assert int(run.result("emulation")["injected"]) >= 2
    # gp_inject's two #GPs from unknown MSRs, and the UD2 (not intercepted: not counted).
    assert run.result("gp_inject")["injected"] == "2"


def test_unknown_msr_logged_at_info_with_rip(run):
    # Issue 10 item 2: once per MSR, at info level, with the index and the guest RIP.
    assert re.search(r"^\[ info\] gp_inject vcpu0: wrmsr 0xc0011fff <- 0x1234 at RIP 0x[0-9a-f]+: sevisor has no rule "
                     r"for this MSR, #GP injected", run.log, re.M), run.log[-4000:]
    # The RDMSR of the same MSR that follows is not logged again.
    assert len(re.findall(r"gp_inject vcpu0: \w+ 0xc0011fff.* at RIP", run.log)) == 1


def test_long_mode_round_trip(run):
    # Issue 10 item 6: out of long mode and back with EFER read-modify-written and an exit in
    # every state, including EFER.LME=1 with CR4.PAE=0, after which QEMU 7.2 TCG's #VMEXIT
    # leaves the guest's CR0 (paging off) in the host; sevisor notices and re-loads its own.
    r = run.result("lm_roundtrip")
    assert r["verdict"] == "pass" and r["outcome"] == "exit:0", run.log[-6000:]
    assert "[lm_roundtrip] FAIL" not in run.log
    assert "[lm_roundtrip] SUMMARY: 47 tests, 0 failures" in run.log
    assert run.log.count("[lm_roundtrip] PASS: lm_roundtrip: EFER.LME on with CR4.PAE off: CPUID leaf 0 answered") == 1
    # Logged at most once, for the guest that caused it, naming what the CPU left behind. (QEMU
    # 7.2, the version this project runs on, has the bug; on a CPU that restores CR0 the line is
    # absent, and the guest passes all the same.)
    warn = host_state_warning(run.log, "lm_roundtrip")
    assert warn is None or "CR0 0x11 (ran with 0x" in warn, warn
