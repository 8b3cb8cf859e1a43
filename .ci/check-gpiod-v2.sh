#!/usr/bin/env bash
# Proves Sources/CGPIOD/shim.c builds against libgpiod 2.x (Debian 13) as well as the
# installed 1.6 (Debian 12): this machine has only 1.6, so the 2.x header and C sources
# come from the PyPI `gpiod` source distribution, which vendors them.
#
# Steps: fetch the sdist with pip, find gpiod.h, compile the shim against it with
# warnings as errors, build libgpiod 2 from the vendored sources, link a small program
# that references every CGPIOD_ symbol, and run it. Then the same against the system
# libgpiod 1.6 when its header is installed.
#
# Environment: GPIOD_PYPI_VERSION (default 2.2.0), CC (default cc).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
shim="$root/Sources/CGPIOD/shim.c"
shim_include="$root/Sources/CGPIOD/include"
version="${GPIOD_PYPI_VERSION:-2.2.0}"
cc="${CC:-cc}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "==> $*"; }

# A program that needs every symbol the shim exports, and checks the few it can run
# without a GPIO chip. Its expected debounce answer is the first argument.
cat > "$work/probe.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "CGPIOD.h"

int main(int argc, char **argv)
{
    void *symbols[] = {
        (void *)CGPIOD_chip_open, (void *)CGPIOD_chip_close, (void *)CGPIOD_chip_get_info,
        (void *)CGPIOD_chip_get_line_info, (void *)CGPIOD_chip_find_line,
        (void *)CGPIOD_request_output, (void *)CGPIOD_request_input,
        (void *)CGPIOD_request_set_value, (void *)CGPIOD_request_get_value,
        (void *)CGPIOD_request_get_fd, (void *)CGPIOD_request_read_event,
        (void *)CGPIOD_request_release,
    };
    for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
        if (!symbols[i])
            return 2;
    bool expected_debounce = argc > 1 && strcmp(argv[1], "kernel-debounce") == 0;
    printf("libgpiod %s, kernel debounce: %s\n", CGPIOD_version(),
           CGPIOD_has_kernel_debounce() ? "yes" : "no");
    if (CGPIOD_has_kernel_debounce() != expected_debounce) {
        fprintf(stderr, "CGPIOD_has_kernel_debounce() is not what this libgpiod can do\n");
        return 1;
    }
    errno = 0;
    CGPIOD_chip *chip = CGPIOD_chip_open("/nonexistent/gpiochip99");
    if (chip || errno != ENOENT) {
        fprintf(stderr, "opening a missing chip: expected NULL with ENOENT, got errno %d\n", errno);
        return 1;
    }
    return 0;
}
EOF

step "fetching the PyPI gpiod $version source distribution (vendors libgpiod 2 C sources)"
python3 -m pip download --quiet --no-deps --no-binary :all: "gpiod==$version" -d "$work/sdist" \
    || fail "pip could not download gpiod==$version from PyPI"
archive=$(find "$work/sdist" -maxdepth 1 -name 'gpiod-*.tar.gz' | head -n 1)
[ -n "$archive" ] || fail "no gpiod-*.tar.gz in what pip downloaded"
tar -xzf "$archive" -C "$work"
source_dir=$(find "$work" -maxdepth 1 -type d -name 'gpiod-*' | head -n 1)
header=$(find "$source_dir" -path '*/include/gpiod.h' | head -n 1)
[ -n "$header" ] || fail "no include/gpiod.h inside $(basename "$archive")"
v2_include=$(dirname "$header")
libgpiod_version=$(cat "$source_dir/libgpiod-version.txt" 2>/dev/null || echo "2.x")
echo "    header: ${header#"$work/"} (libgpiod $libgpiod_version)"

grep -q 'GPIOD_LINE_BULK_MAX_LINES' "$header" && fail "$header is a libgpiod 1.x header"
grep -q 'gpiod_line_settings_set_debounce_period_us' "$header" \
    || fail "$header lacks gpiod_line_settings_set_debounce_period_us: not a libgpiod 2.x header"

step "compiling shim.c against the libgpiod $libgpiod_version header (-Wall -Wextra -Werror)"
"$cc" -std=gnu11 -Wall -Wextra -Werror -I"$shim_include" -I"$v2_include" -c "$shim" -o "$work/shim-v2.o" \
    || fail "shim.c does not compile against libgpiod $libgpiod_version"

step "building libgpiod $libgpiod_version from the vendored sources"
mkdir -p "$work/libgpiod2"
for source in "$source_dir"/lib/*.c; do
    "$cc" -std=gnu11 -D_GNU_SOURCE -DGPIOD_VERSION_STR="\"$libgpiod_version\"" -fvisibility=hidden \
        -I"$v2_include" -I"$source_dir/lib" -c "$source" -o "$work/libgpiod2/$(basename "$source" .c).o" \
        || fail "libgpiod source $(basename "$source") does not compile here"
done
ar rcs "$work/libgpiod2.a" "$work"/libgpiod2/*.o

step "linking and running a program that uses every CGPIOD_ symbol (libgpiod $libgpiod_version)"
"$cc" -std=gnu11 -Wall -Wextra -Werror -I"$shim_include" "$work/probe.c" "$work/shim-v2.o" "$work/libgpiod2.a" \
    -o "$work/probe-v2" || fail "CGPIOD_ symbols do not resolve against libgpiod $libgpiod_version"
"$work/probe-v2" kernel-debounce || fail "the shim built against libgpiod $libgpiod_version misbehaves"

if [ -f /usr/include/gpiod.h ] && grep -q 'GPIOD_LINE_BULK_MAX_LINES' /usr/include/gpiod.h; then
    step "the same against the installed libgpiod 1.x (/usr/include/gpiod.h, -lgpiod)"
    "$cc" -std=gnu11 -Wall -Wextra -Werror -I"$shim_include" -c "$shim" -o "$work/shim-v1.o" \
        || fail "shim.c does not compile against the installed libgpiod 1.x"
    "$cc" -std=gnu11 -Wall -Wextra -Werror -I"$shim_include" "$work/probe.c" "$work/shim-v1.o" -lgpiod \
        -o "$work/probe-v1" || fail "CGPIOD_ symbols do not resolve against the installed libgpiod 1.x"
    "$work/probe-v1" software-debounce || fail "the shim built against libgpiod 1.x misbehaves"
else
    echo "==> no libgpiod 1.x header at /usr/include/gpiod.h: skipped the 1.x check"
fi

echo "OK: Sources/CGPIOD/shim.c compiles, links and runs against libgpiod $libgpiod_version (PyPI gpiod $version)"
