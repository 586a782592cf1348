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
- Linux bzImage loading (Documentation/arch/x86/boot.rst, "64-bit BOOT PROTOCOL", and the
  layout in sevisor's README): an SEV-ES kernel is entered at its 64-bit entry, protected-mode
  kernel + 0x200, in long mode. At GPA 0x6000 a GDT (two null entries, 64-bit __BOOT_CS 0x10,
  flat __BOOT_DS 0x18); at 0x7000 the zero page (the image's setup header from 0x1F1 to
  0x202 + the byte at 0x201, type_of_loader 0xFF, code32_start, cmd_line_ptr 0x20000, the
  initrd's place and size, alt_mem_k, a 4-entry e820 map: RAM to 0x9FC00, reserved to
  0xA0000, reserved 0xF0000-0x100000, RAM from 1 MiB); at 0x8000 identity page tables: PML4,
  PDPT, four page directories of 2 MiB pages for 4 GiB (AMD APM vol. 2, 5.3), with the C-bit
  on the tables and on every page below the end of RAM; the command line at 0x20000
  (cmdline_size + 1 bytes rounded to pages); the kernel at pref_address when its init_size fits
  in RAM, else at the first kernel_alignment boundary from 16 MiB; the initrd page-aligned at
  the top of RAM below initrd_addr_max; the ACPI tables (ACPI 6.4, 5.2) at 0xF0000, which the
  zero page's acpi_rsdp_addr names: RSDP (revision 2, OEM "SEVISR") at +0, FACS (version 2) at
  +64, XSDT at +128 listing the FADT and the HPET table, FADT revision 6 at +192 (FACS, DSDT,
  SCI IRQ 9, PM1a event block 0x600 (4 bytes), PM1a control 0x604 (2 bytes), P_LVL2/3
  latencies 101/1001, CMOS century 0x32, IAPC_BOOT_ARCH legacy devices + no VGA, flags WBINVD |
  PWR_BUTTON | SLP_BUTTON | RESET_REG_SUP, reset register I/O port 0xCF9 value 6), an empty DSDT
  (revision 2) at +480, the HPET table (IA-PC HPET 1.0a) at +528 (block ID 0x8086A201, base
  0xFED00000, minimum tick 100); every header with OEM table ID "SEVISOR ", creator "SVSR",
  revisions 1. The digest is over those five regions (GDT to the end of the page tables,
  command line, the ACPI page, the kernel's init_size range, the initrd), then the VMSA:
  CS 0x10 64-bit, data 0x18, GDTR 0x6000/0x1F, EFER = SVME|LME|LMA, CR0 = PG|ET|PE,
  CR4 = PAE, CR3 = 0x8000, RIP = the entry, RSI = 0x7000. The C-bit position is the
  platform's (CPUID 0x8000001F EBX[5:0]; sevisor logs it for a soft-es guest): --cbit.
- The measurement (SEV API LAUNCH_MEASURE) is HMAC-SHA-256 keyed with the TIK over
  0x04 || API major || API minor || build || policy (LE32) || digest || mnonce. The soft PSP's
  TIK is public: SHA-256("sevisor soft PSP TIK")[:16], API 0.24, build 1.

Usage: sev_launch_digest.py VOLUME_DIR [GUEST ...] [--mnonce HEX] [--cbit N]
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
        elif key == "initrd":
            cur["initrd"] = val
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


# ---- Linux bzImage (boot.rst) ----
LX_GDT, LX_ZERO_PAGE, LX_PT, LX_CMDLINE = 0x6000, 0x7000, 0x8000, 0x20000
LX_PT_END = LX_PT + 6 * PAGE
LX_HDR = 0x1F1
PTE_TABLE = 0x23  # present, writable, accessed
PTE_2M = 0xE3     # present, writable, accessed, dirty, page size


def is_bzimage(image):
    return len(image) > 0x26C and image[0x1FE:0x200] == b"\x55\xaa" and image[0x202:0x206] == b"HdrS"


def linux_layout(image, ram, initrd_size):
    """(load, kernel bytes, header fields) as boot.rst's loading rules place the kernel."""
    setup_sects = image[0x1F1] or 4
    kernel = image[(setup_sects + 1) * 512:]
    initrd_max, align = struct.unpack_from("<II", image, 0x22C)
    relocatable = image[0x234]
    xloadflags, cmdline_size = struct.unpack_from("<HI", image, 0x236)
    pref, init_size = struct.unpack_from("<QI", image, 0x258)
    if not xloadflags & 1:
        raise ValueError("no 64-bit entry (XLF_KERNEL_64)")
    pref = pref or 0x100000
    if pref + init_size <= ram:
        load = pref
    elif relocatable:
        load = up(0x1000000, align or (2 << 20))
    else:
        raise ValueError("kernel does not fit")
    initrd_gpa = 0
    if initrd_size:
        initrd_gpa = down(min(initrd_max + 1, ram) - initrd_size)
    return load, kernel, init_size, cmdline_size, initrd_gpa


LX_ACPI = 0xF0000
HPET_BLOCK_ID, HPET_BASE = 0x8086A201, 0xFED00000


def acpi_sum(data):
    """The byte that makes data sum to zero (ACPI 5.2.5.3, 5.2.6)."""
    return (-sum(data)) & 0xFF


def acpi_tables(gpa=LX_ACPI):
    """The ACPI block as the loader lays it out (offsets within the page)."""
    b = bytearray(PAGE)

    def header(off, sig, length, rev):
        struct.pack_into("<4sIBB6s8sI4sI", b, off, sig, length, rev, 0, b"SEVISR", b"SEVISOR ", 1, b"SVSR", 1)

    def seal(off):
        length = struct.unpack_from("<I", b, off + 4)[0]
        b[off + 9] = acpi_sum(b[off:off + length])
    facs, xsdt, fadt, dsdt, hpet = 64, 128, 192, 480, 528
    struct.pack_into("<4sI", b, facs, b"FACS", 64)
    b[facs + 32] = 2
    header(dsdt, b"DSDT", 36, 2)
    seal(dsdt)
    header(fadt, b"FACP", 276, 6)
    struct.pack_into("<II", b, fadt + 36, gpa + facs, gpa + dsdt)
    struct.pack_into("<H", b, fadt + 46, 9)                       # SCI_INT
    struct.pack_into("<I", b, fadt + 56, 0x600)                   # PM1a_EVT_BLK
    struct.pack_into("<I", b, fadt + 64, 0x604)                   # PM1a_CNT_BLK
    b[fadt + 88], b[fadt + 89] = 4, 2                             # PM1_EVT_LEN, PM1_CNT_LEN
    struct.pack_into("<HH", b, fadt + 96, 101, 1001)              # P_LVL2_LAT, P_LVL3_LAT
    b[fadt + 108] = 0x32                                          # CENTURY
    struct.pack_into("<H", b, fadt + 109, 0x1 | 0x4)              # IAPC_BOOT_ARCH
    struct.pack_into("<I", b, fadt + 112, 0x1 | 0x10 | 0x20 | 0x400)  # flags
    struct.pack_into("<BBBBQ", b, fadt + 116, 1, 8, 0, 1, 0xCF9)  # RESET_REG
    b[fadt + 128] = 6                                             # RESET_VALUE
    seal(fadt)
    header(hpet, b"HPET", 56, 1)
    struct.pack_into("<I", b, hpet + 36, HPET_BLOCK_ID)
    struct.pack_into("<BBBBQ", b, hpet + 40, 0, 64, 0, 0, HPET_BASE)
    struct.pack_into("<H", b, hpet + 53, 100)                     # minimum clock tick
    seal(hpet)
    header(xsdt, b"XSDT", 36 + 16, 1)
    struct.pack_into("<QQ", b, xsdt + 36, gpa + fadt, gpa + hpet)
    seal(xsdt)
    struct.pack_into("<8sB6sBIIQ", b, 0, b"RSD PTR ", 0, b"SEVISR", 2, 0, 36, gpa + xsdt)
    b[8] = acpi_sum(b[0:20])
    b[32] = acpi_sum(b[0:36])
    return bytes(b)


def linux_low_pages(image, ram, load, cmdline_len, initrd_gpa, initrd_size, enc):
    """GDT page, zero page and page tables: GPA 0x6000 to the end of the page tables."""
    low = bytearray(LX_PT_END - LX_GDT)
    struct.pack_into("<QQQQ", low, 0, 0, 0, 0x00AF9B000000FFFF, 0x00CF93000000FFFF)
    zp = LX_ZERO_PAGE - LX_GDT
    hdr_end = min(0x202 + image[0x201], 0x26C)
    low[zp + LX_HDR:zp + hdr_end] = image[LX_HDR:hdr_end]
    low[zp + 0x210] = 0xFF                                   # type_of_loader
    struct.pack_into("<I", low, zp + 0x214, load)            # code32_start
    struct.pack_into("<II", low, zp + 0x218, initrd_gpa, initrd_size)
    struct.pack_into("<I", low, zp + 0x228, LX_CMDLINE)      # cmd_line_ptr
    struct.pack_into("<I", low, zp + 0x1E0, (ram - 0x100000) >> 10)  # alt_mem_k
    struct.pack_into("<Q", low, zp + 0x070, LX_ACPI)         # acpi_rsdp_addr
    e820 = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2), (0x100000, ram - 0x100000, 1)]
    low[zp + 0x1E8] = len(e820)
    for i, (a, n, t) in enumerate(e820):
        struct.pack_into("<QQI", low, zp + 0x2D0 + 20 * i, a, n, t)
    pt = LX_PT - LX_GDT
    struct.pack_into("<Q", low, pt, (LX_PT + PAGE) | enc | PTE_TABLE)
    for i in range(4):
        struct.pack_into("<Q", low, pt + PAGE + 8 * i, (LX_PT + (2 + i) * PAGE) | enc | PTE_TABLE)
    for k in range(4 * 512):
        gpa = k << 21
        struct.pack_into("<Q", low, pt + 2 * PAGE + 8 * k, gpa | (enc if gpa < ram else 0) | PTE_2M)
    return bytes(low)


def linux_vmsa(entry):
    """The SEV-ES save area of the 64-bit entry state (APM vol. 2 table B-4 offsets)."""
    v = bytearray(4096)

    def seg(off, sel, attr, limit, base=0):
        struct.pack_into("<HHIQ", v, off, sel, attr, limit, base)
    for off in (0x00, 0x20, 0x30, 0x40, 0x50):  # ES SS DS FS GS: __BOOT_DS
        seg(off, 0x18, 0xC93, 0xFFFFFFFF)
    seg(0x10, 0x10, 0xA9B, 0xFFFFFFFF)  # CS: __BOOT_CS, code, execute/read, accessed, L, G
    seg(0x60, 0, 0, 0x1F, LX_GDT)       # GDTR
    seg(0x70, 0, 0x82, 0xFFFF)          # LDTR
    seg(0x90, 0, 0x8B, 0xFFFF)          # TR
    for off, fmt, val in ((0xD0, "Q", 0x1500), (0x148, "Q", 0x20), (0x150, "Q", LX_PT),
                          (0x158, "Q", 0x80000011), (0x160, "Q", 0x400), (0x168, "Q", 0xFFFF0FF0),
                          (0x170, "Q", 2), (0x178, "Q", entry), (0x268, "Q", 0x0007040600070406),
                          (0x330, "Q", LX_ZERO_PAGE), (0x3E8, "Q", 1), (0x408, "I", 0x1F80),
                          (0x410, "H", 0x37F)):
        struct.pack_into("<" + fmt, v, off, val)
    return bytes(v)


def pad(data, start, end):
    """data placed at start, zero-filled to end."""
    return bytes(data) + bytes(end - start - len(data))


def linux_digest(volume, g, image, cbit):
    if cbit is None:
        raise ValueError("a Linux guest's launch needs the platform's C-bit: --cbit N")
    ram, enc = g["memory"], 1 << cbit
    initrd = b""
    if g.get("initrd"):
        with open(os.path.join(volume, g["initrd"]), "rb") as f:
            initrd = f.read()
    load, kernel, init_size, cmdline_size, initrd_gpa = linux_layout(image, ram, len(initrd))
    cmdline = g["cmdline"].encode() + b"\0"
    regions = [
        linux_low_pages(image, ram, load, len(cmdline), initrd_gpa, len(initrd), enc),
        pad(cmdline, LX_CMDLINE, up(LX_CMDLINE + cmdline_size)),
        acpi_tables(),
        pad(kernel, load, up(load + init_size)),
    ]
    if initrd:
        regions.append(pad(initrd, initrd_gpa, up(initrd_gpa + len(initrd))))
    h = hashlib.sha256()
    for data in regions:
        h.update(data)
    h.update(linux_vmsa(load + 0x200))
    return h.digest()


def guest_digest(volume, g, cbit):
    with open(os.path.join(volume, g["kernel"]), "rb") as f:
        image = f.read()
    return linux_digest(volume, g, image, cbit) if is_bzimage(image) else launch_digest(volume, g)


def soft_measurement(digest, policy, mnonce):
    msg = bytes([0x04, *SOFT_API]) + struct.pack("<I", policy) + digest + mnonce
    return hmac.new(SOFT_TIK, msg, hashlib.sha256).digest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("volume")
    ap.add_argument("guests", nargs="*")
    ap.add_argument("--mnonce", help="the mnonce= of a soft-PSP launch line: also print the measurement")
    ap.add_argument("--cbit", type=int, help="the platform's C-bit position (Linux guests' page tables)")
    a = ap.parse_args()
    with open(os.path.join(a.volume, "sevisor.cfg")) as f:
        guests = parse_cfg(f.read())
    for g in guests:
        if g["mode"] not in ES_MODES or (a.guests and g["name"] not in a.guests):
            continue
        d = guest_digest(a.volume, g, a.cbit)
        out = [g["name"], d.hex()]
        if a.mnonce:
            out.append(soft_measurement(d, g["policy"], bytes.fromhex(a.mnonce)).hex())
        print(" ".join(out))


if __name__ == "__main__":
    sys.exit(main())
