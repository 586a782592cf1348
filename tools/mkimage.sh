#!/usr/bin/env bash
# mkimage.sh OUT.img SEVISOR.efi SEVISOR.cfg [FILE...]
#
# Builds a disk image that boots on a real machine when written to a USB stick with dd, and in
# QEMU as a USB stick: a GPT with one EFI system partition (FAT) holding
#   /EFI/BOOT/BOOTX64.EFI   sevisor (the removable-media boot path firmware looks for)
#   /sevisor.cfg            the configuration
#   /guests/<name>          each FILE, by its base name
# No root, loop devices or mounts: sgdisk writes the partition table, mtools the file system.
set -euo pipefail
out=$1 efi=$2 cfg=$3
shift 3
size_mib=${IMAGE_MIB:-64}
part_start=2048 # sectors of 512 bytes: the partition starts at 1 MiB
tmp="$out.tmp"
rm -f "$tmp"
truncate -s "${size_mib}M" "$tmp"
sgdisk --clear --new=1:${part_start}:0 --typecode=1:ef00 --change-name=1:SEVISOR "$tmp" >/dev/null
# The partition ends 34 sectors before the disk's end (the backup GPT lives there).
sectors=$(( size_mib * 2048 - part_start - 34 ))
img="$tmp@@$(( part_start * 512 ))"
mformat -i "$img" -T "$sectors" -h 64 -s 32 -v SEVISOR -F ::
mmd -i "$img" ::/EFI ::/EFI/BOOT ::/guests
mcopy -i "$img" "$efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$img" "$cfg" ::/sevisor.cfg
for f in "$@"; do
	mcopy -i "$img" "$f" "::/guests/$(basename "$f")"
done
mv "$tmp" "$out"
