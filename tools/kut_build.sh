#!/usr/bin/env bash
# kut_build.sh SRC OUTDIR
#
# Builds the x86_64 kvm-unit-tests from SRC (a .tar.xz/.tar.gz/.tar of the source, or an unpacked
# source tree) into OUTDIR/kvm-unit-tests, without touching SRC. `make conformance` calls it on
# every run, so it is cheap when nothing changed: a tarball is unpacked and built once (the stamp
# holds its path, size and modification time); a tree is copied over the previous copy (newer
# files only) and `make` rebuilds what changed. The build's output goes to OUTDIR/build.log and is
# shown only when the build fails.
set -euo pipefail
src=$1 out=$2
[ -e "$src" ] || { echo "kut_build: $src does not exist" >&2; exit 1; }
src=$(realpath "$src")
tree="$out/kvm-unit-tests"
stamp="$out/.built-from"
id="$src $(stat -c '%s %Y' "$src")"

build() {
	if ! (cd "$tree" && { [ -f config.mak ] || ./configure --arch=x86_64; } && make -j2) >"$out/build.log" 2>&1; then
		tail -30 "$out/build.log" >&2
		echo "kut_build: building kvm-unit-tests failed (log: $out/build.log)" >&2
		exit 1
	fi
	echo "$id" >"$stamp"
}

if [ -d "$src" ]; then
	if [ ! -f "$stamp" ] || [ "$(cut -d' ' -f1 "$stamp")" != "$src" ]; then
		rm -rf "$out"
		mkdir -p "$tree"
	fi
	cp -a -u "$src/." "$tree/"
	build
	exit 0
fi

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$id" ] && [ -f "$tree/x86/vmexit.flat" ]; then
	exit 0
fi
rm -rf "$out"
mkdir -p "$out/unpack"
tar -xf "$src" -C "$out/unpack"
# A `git archive --prefix=kvm-unit-tests/` tarball has one top-level folder, whatever its name.
top=$(ls "$out/unpack")
[ "$(echo "$top" | wc -l)" -eq 1 ] || { echo "kut_build: $src has more than one top-level folder" >&2; exit 1; }
mv "$out/unpack/$top" "$tree"
rmdir "$out/unpack"
echo "kut_build: building kvm-unit-tests (x86_64) from $src"
build
