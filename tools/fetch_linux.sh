#!/usr/bin/env bash
# fetch_linux.sh OUT_DIR: Debian's stock kernel image for the Linux guest, without installing it:
# `apt-get download` of the package linux-image-amd64 depends on, `dpkg-deb -x`, keep only
# vmlinuz (OUT_DIR/vmlinuz). Does nothing when it is there already (cached in build/).
set -euo pipefail
out=$1
[ -s "$out/vmlinuz" ] && exit 0
mkdir -p "$out"
kernel_pkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }'; }
pkg=$(kernel_pkg)
# A fresh machine may have no package lists yet: read them once and ask again.
if [ -z "$pkg" ]; then
	if [ "$(id -u)" -eq 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
	pkg=$(kernel_pkg)
fi
[ -n "$pkg" ] || { echo "fetch_linux: no kernel package behind linux-image-amd64" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1)
dpkg-deb -x "$tmp"/*.deb "$tmp/root"
cp "$tmp"/root/boot/vmlinuz-* "$out/vmlinuz"
echo "fetch_linux: $pkg -> $out/vmlinuz"
