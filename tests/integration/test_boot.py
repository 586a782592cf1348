"""Issue 2: the image boots from the USB stick path, reports capabilities, owns the machine and
finishes cleanly; no SVM and a broken config end with their own message and status."""
from sevisor_qemu import boot_config

STATUS_OK, STATUS_CONFIG, STATUS_NO_SVM = 1, 3, 4

BASE = """[sevisor]
log = com1,debugcon
on_finish = debug-exit
"""


def test_normal_boot_reports_capabilities(tmp_path):
    run = boot_config(tmp_path, BASE)
    assert run.status == STATUS_OK, run.log
    caps = run.records("caps")[0]
    # QEMU TCG -cpu EPYC,+svm: SVM revision 1, 16 ASIDs, NP only, no SEV (qemu-tcg-svm.md).
    assert caps["svm"] == "yes"
    assert caps["asids"] == "16"
    assert caps["svm_features"] == "0x1"
    assert caps["sev"] == "0"
    assert "svm: revision 1, 16 ASIDs, features 0x00000001: NP" in run.log
    assert "VM_CR=0x0 (SVMDIS=0 LOCK=0)" in run.log
    assert "CPUID leaf 0x8000001F absent" in run.log
    assert "boot: sevisor owns the machine" in run.log
    assert run.records("finish")[0]["name"] == "ok"


def test_no_svm_says_so_and_exits_with_its_status(tmp_path):
    run = boot_config(tmp_path, BASE, cpu="EPYC,-svm")
    assert run.status == STATUS_NO_SVM, run.log
    assert "this CPU has no SVM (CPUID 0x80000001 ECX[2] is clear)" in run.log
    assert run.records("caps")[0]["svm"] == "missing"
    assert run.records("finish")[0]["name"] == "no-svm"
    # It stopped before taking over the machine.
    assert "exiting boot services" not in run.log


def test_broken_config_names_file_line_and_reason(tmp_path):
    cfg = BASE + "colour = blue\n"
    run = boot_config(tmp_path, cfg)
    assert run.status == STATUS_CONFIG, run.log
    assert "sevisor.cfg:4: unknown key 'colour' in [sevisor]" in run.log
    assert run.records("config-error")[0]["line"] == "4"
    assert "exiting boot services" not in run.log


def test_missing_guest_file_is_a_config_error_at_its_line(tmp_path):
    cfg = BASE + "[guest a]\nmemory = 16M\nkernel = guests/nothere.elf\n"
    run = boot_config(tmp_path, cfg)
    assert run.status == STATUS_CONFIG, run.log
    assert "sevisor.cfg:6: guest 'a': kernel 'guests/nothere.elf': cannot open file (Not Found)" in run.log
    assert "exiting boot services" not in run.log
