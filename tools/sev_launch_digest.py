#!/usr/bin/env python3
"""Expected SEV launch digest of a sevisor guest, from the guest's files and sevisor.cfg alone.

A guest owner runs this on their own machine and compares the result with the digest= field
of the '@sevisor launch guest=NAME ...' line (and, for a soft-PSP launch, the measurement=
field). Nothing here comes from sevisor's code; it is what the documents say sevisor does:

- Multiboot v1 loading (Multiboot Specification 0.6.96, sevisor's README and
  svm/load/multiboot.h placement rule): PT_LOAD segments at p_paddr with their bss zeroed;
  modules page-aligned one after another from the first page above the kernel image; the
  information block at GPA 0x1000: struct multiboot_info (88 bytes), the module list (8-byte
  aligned), the memory map (one available entry for all guest RAM), the boot loader name
  "sevisor", the command line "KERNELPATH ARGS", the module strings "PATH ARGS".
- The launch (SEV API #55766 LAUNCH_UPDATE_DATA / LAUNCH_UPDATE_VMSA): the digest is SHA-256
  over, in order, the page-rounded information area, the page-rounded image with its modules,
  and the 4 KiB VMSA.
- The VMSA (AMD APM vol. 2 table B-4, the SEV-ES save area) holds the Multiboot entry state
  (spec 3.2): flat 32-bit CS 0x08 / data 0x10, CR0 = PE|ET, EFER = SVME, RFLAGS = 2,
  RIP = entry, RAX = 0x2BADB002, RBX = 0x1000; DR6/DR7, PAT, XCR0, FCW and MXCSR at their
  architectural reset values.
- The measurement (SEV API LAUNCH_MEASURE) is HMAC-SHA-256 keyed with the TIK over
  0x04 || API major || API minor || build || policy (LE32) || digest || mnonce. The soft PSP's
  TIK is public: SHA-256("sevisor soft PSP TIK")[:16], API 0.24, build 1.

Usage: sev_launch_digest.py VOLUME_DIR [GUEST ...] [--mnonce HEX]
VOLUME_DIR holds sevisor.cfg and the files it names (the boot volume, or a copy of it).
Prints one line per sev-es/soft-es/auto guest: NAME DIGEST [MEASUREMENT].
"""
import argparse
import hashlib
import hmac
import os
import re
import struct
import sys

PAGE = 4096
INFO_GPA = 0x1000
MB_MAGIC = 0x1BADB002
LOADER_NAME = b"sevisor\0"
ES_MODES = ("sev-es", "soft-es", "auto")
SOFT_TIK = hashlib.sha256(b"sevisor soft PSP TIK").digest()[:16]
SOFT_API = (0, 24, 1)


def up(x, a=PAGE):
    return (x + a - 1) & ~(a - 1)


def down(x, a=PAGE):
    return x & ~(a - 1)


def parse_cfg(text):
    """The sevisor.cfg keys the launch depends on, per guest, in file order."""
    default_mode, guests, cur = "plain", [], None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            inner = line[1:-1].strip()
            cur = None
            if inner.startswith("guest"):
                cur = {"name": inner[5:].strip(), "cmdline": "", "modules": [], "memory": 16 << 20,
                       "mode": default_mode, "policy": 0x7}
                guests.append(cur)
            continue
        key, _, val = line.partition("=")
        key, val = key.strip(), val.strip()
        if cur is None:
            if key == "default_mode":
                default_mode = val
            continue
        if key == "kernel":
            cur["kernel"] = val
        elif key == "cmdline":
            cur["cmdline"] = val
        elif key == "module":
            # PATH, then ARGS after the spaces or tabs that follow it
            parts = re.split(r"[ \t]", val, maxsplit=1)
            cur["modules"].append((parts[0], parts[1].lstrip(" \t") if len(parts) > 1 else ""))
        elif key == "memory":
            mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(val[-1:], 1)
            cur["memory"] = int(val[:-1] if mult > 1 else val, 0) * mult
        elif key == "mode":
            cur["mode"] = val
        elif key == "policy":
            cur["policy"] = int(val, 0)
    return guests


def load_segments(image):
    """(segments, entry): PT_LOAD segments as (paddr, bytes, memsz), entry as a physical address."""
    if image[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    if not any(struct.unpack_from("<I", image, o)[0] == MB_MAGIC
               for o in range(0, min(len(image), 8192) - 11, 4)):
        raise ValueError("no Multiboot header")
    elf64 = image[4] == 2
    if elf64:
        entry, phoff = struct.unpack_from("<QQ", image, 24)
        phentsize, phnum = struct.unpack_from("<HH", image, 54)
    else:
        entry, phoff = struct.unpack_from("<II", image, 24)
        phentsize, phnum = struct.unpack_from("<HH", image, 42)
    segs, phys_entry = [], None
    for i in range(phnum):
        o = phoff + i * phentsize
        if elf64:
            ptype, _, off, vaddr, paddr, filesz, memsz = struct.unpack_from("<IIQQQQQ", image, o)
        else:
            ptype, off, vaddr, paddr, filesz, memsz = struct.unpack_from("<IIIIII", image, o)
        if ptype != 1 or memsz == 0:
            continue
        segs.append((paddr, image[off:off + filesz], memsz))
        if vaddr <= entry < vaddr + memsz:
            phys_entry = entry - vaddr + paddr
    if phys_entry is None:
        raise ValueError("entry point outside the loadable segments")
    return segs, phys_entry


def info_area(g, mods):
    """The Multiboot information area at INFO_GPA, as bytes (spec 3.3)."""
    memory = g["memory"]
    cmdline = (g["kernel"] + (" " + g["cmdline"] if g["cmdline"] else "")).encode() + b"\0"
    strings = [(p + (" " + a if a else "")).encode() + b"\0" for p, a in g["modules"]]
    off_mods = up(88, 8)
    off_mmap = off_mods + 16 * len(mods)
    off_name = off_mmap + 24
    off_cmd = off_name + len(LOADER_NAME)
    off_str = off_cmd + len(cmdline)
    total = off_str + sum(len(s) for s in strings)
    area = bytearray(total)
    flags = 0x1 | 0x4 | 0x8 | 0x40 | 0x200  # mem, cmdline, mods, mmap, loader name
    mem_lower = min(memory, 0xA0000) >> 10
    mem_upper = (memory - (1 << 20)) >> 10
    struct.pack_into("<IIIIIII", area, 0, flags, mem_lower, mem_upper, 0, INFO_GPA + off_cmd, len(mods),
                     INFO_GPA + off_mods)
    struct.pack_into("<II", area, 44, 24, INFO_GPA + off_mmap)
    struct.pack_into("<I", area, 64, INFO_GPA + off_name)
    struct.pack_into("<IQQI", area, off_mmap, 20, 0, memory, 1)
    area[off_name:off_name + len(LOADER_NAME)] = LOADER_NAME
    area[off_cmd:off_cmd + len(cmdline)] = cmdline
    soff = off_str
    for i, (gpa, size) in enumerate(mods):
        area[soff:soff + len(strings[i])] = strings[i]
        struct.pack_into("<IIII", area, off_mods + 16 * i, gpa, gpa + size, INFO_GPA + soff, 0)
        soff += len(strings[i])
    return bytes(area)


def vmsa(entry):
    """The SEV-ES save area of the Multiboot entry state (APM vol. 2 table B-4 offsets)."""
    v = bytearray(4096)

    def seg(off, sel, attr, limit):
        struct.pack_into("<HHIQ", v, off, sel, attr, limit, 0)
    for off in (0x00, 0x20, 0x30, 0x40, 0x50):  # ES SS DS FS GS: data, read/write, accessed
        seg(off, 0x10, 0xC93, 0xFFFFFFFF)
    seg(0x10, 0x08, 0xC9B, 0xFFFFFFFF)  # CS: code, execute/read, accessed, D, G
    seg(0x70, 0, 0x82, 0xFFFF)          # LDTR
    seg(0x90, 0, 0x8B, 0xFFFF)          # TR: busy 32-bit TSS
    for off, fmt, val in ((0xD0, "Q", 0x1000), (0x158, "Q", 0x11), (0x160, "Q", 0x400),
                          (0x168, "Q", 0xFFFF0FF0), (0x170, "Q", 2), (0x178, "Q", entry),
                          (0x1F8, "Q", 0x2BADB002), (0x268, "Q", 0x0007040600070406),
                          (0x318, "Q", INFO_GPA), (0x3E8, "Q", 1), (0x408, "I", 0x1F80), (0x410, "H", 0x37F)):
        struct.pack_into("<" + fmt, v, off, val)
    return bytes(v)


def launch_digest(volume, g):
    with open(os.path.join(volume, g["kernel"]), "rb") as f:
        segs, entry = load_segments(f.read())
    lo = min(p for p, _, _ in segs)
    hi = max(p + m for p, _, m in segs)
    mods, mod_data, cur = [], [], up(hi)
    for path, _ in g["modules"]:
        with open(os.path.join(volume, path), "rb") as f:
            data = f.read()
        mods.append((cur, len(data)))
        mod_data.append(data)
        cur = up(cur + len(data))
    mods_end = mods[-1][0] + mods[-1][1] if mods else up(hi)
    img_start, img_end = down(lo), up(max(hi, mods_end))
    img = bytearray(img_end - img_start)
    for paddr, data, _ in segs:
        img[paddr - img_start:paddr - img_start + len(data)] = data
    for (gpa, size), data in zip(mods, mod_data):
        img[gpa - img_start:gpa - img_start + size] = data
    info = info_area(g, mods)
    info_region = info + bytes(up(len(info) + INFO_GPA) - INFO_GPA - len(info))
    regions = sorted([(INFO_GPA, info_region), (img_start, bytes(img))])
    h = hashlib.sha256()
    for _, data in regions:
        h.update(data)
    h.update(vmsa(entry))
    return h.digest()


def soft_measurement(digest, policy, mnonce):
    msg = bytes([0x04, *SOFT_API]) + struct.pack("<I", policy) + digest + mnonce
    return hmac.new(SOFT_TIK, msg, hashlib.sha256).digest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("volume")
    ap.add_argument("guests", nargs="*")
    ap.add_argument("--mnonce", help="the mnonce= of a soft-PSP launch line: also print the measurement")
    a = ap.parse_args()
    with open(os.path.join(a.volume, "sevisor.cfg")) as f:
        guests = parse_cfg(f.read())
    for g in guests:
        if g["mode"] not in ES_MODES or (a.guests and g["name"] not in a.guests):
            continue
        d = launch_digest(a.volume, g)
        out = [g["name"], d.hex()]
        if a.mnonce:
            out.append(soft_measurement(d, g["policy"], bytes.fromhex(a.mnonce)).hex())
        print(" ".join(out))


if __name__ == "__main__":
    sys.exit(main())
