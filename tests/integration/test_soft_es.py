"""Issue 6 (soft-es part) and issue 4 ("again in soft-es"): every es_*.elf guest program, and
the mode walk, run under the software SEV-ES CPU model in one QEMU boot. Each test checks one
guest's verdict and, for terminations, the reason sevisor logged."""
import os

import pytest

from sevisor_qemu import GUESTS, boot_config

ES_GUESTS = ["es_negotiate", "es_cpuid", "es_portio", "es_msr", "es_register", "es_malformed",
             "es_term_msr", "es_term_ghcb", "es_msr_unknown", "es_modes"]
TERMINATED = {"es_register", "es_term_msr", "es_term_ghcb"}

CONFIG = """[sevisor]
log = com1,debugcon
log_level = debug
on_finish = debug-exit
"""
for _g in ES_GUESTS:
    CONFIG += f"\n[guest {_g}]\nkernel = guests/{_g}.elf\nmode = soft-es\ntimeout = 10s\n"
    if _g in TERMINATED:
        CONFIG += "expect = terminated\n"
# the plain mode walk (issue 4), again in soft-es: same program, the runtime's SEV-ES build
CONFIG += "\n[guest modes_plain]\nkernel = guests/modes.elf\nmode = plain\n"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("soft_es")
    files = [os.path.join(GUESTS, f"{g}.elf") for g in ES_GUESTS + ["modes"]]
    return boot_config(d, CONFIG, files)


@pytest.mark.parametrize("guest", [g for g in ES_GUESTS if g not in TERMINATED])
def test_es_guest_passes(run, guest):
    r = run.result(guest)
    assert r["verdict"] == "pass", run.log[-6000:]
    assert r["outcome"] == "exit:0", r
    assert f"[{guest}] SUMMARY:" in run.log
    assert f"[{guest}] FAIL" not in run.log
    assert r["mode"] == "soft-es" if "mode" in r else True


def test_term_msr_reason_by_name(run):
    r = run.result("es_term_msr")
    assert r["verdict"] == "pass" and r["outcome"] == "terminated", r
    assert "MSR protocol" in r["reason"] or "msr" in r["reason"].lower()
    assert "reason set 0" in r["reason"] and "code 0" in r["reason"], r["reason"]


def test_term_ghcb_reason_by_name(run):
    r = run.result("es_term_ghcb")
    assert r["verdict"] == "pass" and r["outcome"] == "terminated", r
    assert "reason set 1" in r["reason"] and "code 5" in r["reason"], r["reason"]


def test_register_mismatch_names_both_gpas(run):
    r = run.result("es_register")
    assert r["verdict"] == "pass" and r["outcome"] == "terminated", r
    assert "registered" in r["reason"].lower(), r["reason"]


def test_state_never_read_by_hypervisor(run):
    # The accessors refuse (and log) any read of a protected vCPU's registers.
    assert "state is protected" not in run.log


def test_plain_modes_still_passes(run):
    r = run.result("modes_plain")
    assert r["verdict"] == "pass" and r["outcome"] == "exit:0", r
