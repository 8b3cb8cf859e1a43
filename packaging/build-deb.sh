#!/usr/bin/env bash
# Builds a Debian package of AuxChain: stages an install into a temporary root with
# packaging/install.sh (DESTDIR), adds the control file and maintainer scripts, and runs
# dpkg-deb. Dependencies come from the binary's shared libraries (dpkg-shlibdeps), so they
# match what it was linked against (libasound2, libgpiod2 on Debian 12; libgpiod3 on 13).
#
# Usage: packaging/build-deb.sh [--binary PATH] [--version VERSION] [--output DIR]
#   --binary   package this auxchain binary instead of building one (see install.sh)
#   --version  package version (default: 0.1.0+git<date>.<commit>)
#   --output   where the .deb goes (default: the current folder)
# Needs dpkg-dev (dpkg-shlibdeps) and the -dev packages the build needs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
binary=""
version=""
output="$PWD"

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
        --version) version="${2:?--version needs a value}"; shift 2 ;;
        --output) output="${2:?--output needs a folder}"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "build-deb.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

fail() { echo "build-deb.sh: $*" >&2; exit 1; }
command -v dpkg-shlibdeps >/dev/null || fail "dpkg-shlibdeps is missing: apt-get install dpkg-dev"

if [ -z "$version" ]; then
    commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
    version="0.1.0+git$(date -u +%Y%m%d).$commit"
fi
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
package="$stage/root"

install_args=()
[ -n "$binary" ] && install_args=(--binary "$binary")
DESTDIR="$package" "$root/packaging/install.sh" "${install_args[@]}"

# The Swift runtime must be inside the binary: a package cannot depend on a toolchain.
if ldd "$package/usr/bin/auxchain" | grep -q 'libswift'; then
    fail "the binary links the Swift runtime dynamically; build it with --static-swift-stdlib"
fi

echo "==> dependencies"
# dpkg-shlibdeps wants a source package's debian/control beside it.
mkdir -p "$stage/debian"
printf 'Source: auxchain\n\nPackage: auxchain\nArchitecture: any\n' > "$stage/debian/control"
depends=$(cd "$stage" && dpkg-shlibdeps -O -e"root/usr/bin/auxchain" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || fail "dpkg-shlibdeps found no dependencies"
for library in libasound2 libgpiod; do
    echo "$depends" | grep -q "$library" || fail "the binary does not link $library: is it the right build?"
done
echo "    $depends"

install -d -m 0755 "$package/DEBIAN"
cat > "$package/DEBIAN/control" <<CONTROL
Package: auxchain
Version: $version
Architecture: $arch
Maintainer: ${DEBFULLNAME:-AuxChain maintainers} <${DEBEMAIL:-auxchain@localhost}>
Depends: $depends
Section: sound
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$package" | cut -f1)
Description: Amazon Echo line-out to powered speaker bridge
 A daemon that captures an Echo's 3.5 mm line-out with ALSA and plays it to a
 powered speaker, with a volume curve, cap and safe start level, an optional
 GPIO hardware attenuator, and speaker power switched by a GPIO relay that
 comes on when the Echo sounds and goes off after a quiet spell. The auxchain
 command talks to it over a Unix socket.
CONTROL
echo "/etc/auxchain/auxchain.toml" > "$package/DEBIAN/conffiles"
{
    printf '#!/bin/sh\nset -e\n'
    cat "$root/packaging/accounts.sh" "$root/packaging/deb/postinst"
} > "$package/DEBIAN/postinst"
install -m 0755 "$root/packaging/deb/prerm" "$package/DEBIAN/prerm"
install -m 0755 "$root/packaging/deb/postrm" "$package/DEBIAN/postrm"
chmod 0755 "$package/DEBIAN/postinst"

mkdir -p "$output"
deb="$output/auxchain_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$package" "$deb" >/dev/null
echo "==> built $deb"
dpkg-deb --info "$deb"
