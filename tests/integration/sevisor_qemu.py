"""Boots a sevisor image in QEMU (TCG) and returns what happened.

One helper for every integration test: build a USB image with a given sevisor.cfg and guest
files (tools/mkimage.sh), boot it with OVMF like tools/run_qemu.sh does, and parse the console
into the finish status and the machine-readable '@sevisor key=value' lines.
"""
import contextlib
import fcntl
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
EFI = os.path.join(BUILD, "sevisor.efi")
GUESTS = os.path.join(BUILD, "guests")
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"


def parse_kv(text):
    """'a=1 b="x y" c=z' -> {'a': '1', 'b': 'x y', 'c': 'z'} (the first word is the kind)."""
    out = {}
    for tok in shlex.split(text):
        if "=" in tok:
            k, v = tok.split("=", 1)
            out[k] = v
    return out


@dataclass
class Run:
    rc: int
    log: str
    status: int = None  # sevisor's own status (QEMU rc = status << 1 | 1)
    lines: list = field(default_factory=list)  # (kind, dict) for every @sevisor line

    def records(self, kind):
        return [d for k, d in self.lines if k == kind]

    def result(self, guest):
        for d in self.records("result"):
            if d.get("guest") == guest:
                return d
        raise AssertionError(f"no @sevisor result line for guest {guest}\n{self.log[-4000:]}")


def build_image(workdir, cfg_text, files=()):
    img = os.path.join(workdir, "sevisor.img")
    cfg = os.path.join(workdir, "sevisor.cfg")
    with open(cfg, "w") as f:
        f.write(cfg_text)
    subprocess.run([os.path.join(ROOT, "tools", "mkimage.sh"), img, EFI, cfg, *files],
                   check=True, capture_output=True)
    return img


# At most this many QEMU boots at once on the machine, whoever starts them (pytest -n, several
# checkouts, tools/qemu_slot.sh): TCG boots are CPU-bound, and more boots than cores only makes
# every boot slower. Slots are flock()ed files, released when the process ends.
QEMU_SLOTS = int(os.environ.get("SEVISOR_QEMU_SLOTS", "2"))
SLOT_DIR = "/tmp/sevisor-qemu-slots"


@contextlib.contextmanager
def qemu_slot():
    os.makedirs(SLOT_DIR, exist_ok=True)
    files = [open(os.path.join(SLOT_DIR, f"slot{i}"), "w") for i in range(QEMU_SLOTS)]
    try:
        while True:
            for f in files:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    yield
                    return
                except BlockingIOError:
                    continue
            fcntl.flock(files[0], fcntl.LOCK_EX)  # wait on one; the next round takes it
            fcntl.flock(files[0], fcntl.LOCK_UN)
    finally:
        for f in files:
            f.close()


def boot(img, cpu="EPYC,+svm", mem="512M", timeout=240, extra=()):
    with tempfile.TemporaryDirectory() as d:
        vars_fd = os.path.join(d, "vars.fd")
        shutil.copy(OVMF_VARS, vars_fd)
        serial = os.path.join(d, "serial.log")
        cmd = ["qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-cpu", cpu, "-m", mem,
               "-smp", "1",
               "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
               "-drive", f"if=pflash,format=raw,unit=1,file={vars_fd}",
               "-device", "qemu-xhci,id=xhci",
               "-drive", f"if=none,id=stick,format=raw,snapshot=on,file={img}",
               "-device", "usb-storage,bus=xhci.0,drive=stick,removable=on",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-nodefaults", "-display", "none", "-serial", f"file:{serial}", "-no-reboot",
               *extra]
        try:
            with qemu_slot():
                p = subprocess.run(cmd, capture_output=True, timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            rc = -1
        with open(serial, "rb") as f:
            log = f.read().decode("utf-8", "replace").replace("\r", "")
    run = Run(rc=rc, log=log)
    if rc > 1 and rc & 1:
        run.status = rc >> 1
    for m in re.finditer(r"^@sevisor (\S+)(.*)$", log, re.M):
        run.lines.append((m.group(1), parse_kv(m.group(2))))
    return run


def boot_config(tmp_path, cfg_text, files=(), **kw):
    return boot(build_image(str(tmp_path), cfg_text, files), **kw)


HOST_STATE_WARNING = "had not restored sevisor's own state"


def host_state_warning(log, guest):
    """The line sevisor logs when the CPU's #VMEXIT left host CR0/CR4/CR3/EFER wrong (issue 10
    item 6): QEMU 7.2 TCG does after a guest ran with EFER.LME=1 and CR4.PAE=0; a CPU that
    reloads host state (real hardware, a QEMU without the bug) gives none. So: at most one line,
    naming `guest` when there is one. Returns it, or None."""
    lines = [l for l in log.splitlines() if HOST_STATE_WARNING in l]
    assert len(lines) <= 1, lines
    if lines:
        assert f"of guest {guest}" in lines[0], lines[0]
    return lines[0] if lines else None
