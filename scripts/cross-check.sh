#!/usr/bin/env bash
# Every platform of the seeds, compiled here: clippy (-D warnings, which checks
# too) of --lib --bins --tests for nine targets, then what this Linux machine
# can link and run:
#   x86_64-pc-windows-gnu      under wine (private WINEPREFIX): -V, detect, a
#                              real install/list/use/rollback/uninstall from a
#                              local signed release, the registry PATH read back
#   aarch64-unknown-linux-gnu  under qemu-aarch64: detect picks the neon build,
#   aarch64-unknown-linux-musl   and an install runs
#   x86_64-unknown-linux-musl  natively: static (ldd), installs and runs
# macOS and msvc have no SDK here: check and clippy only; they run in the
# GitHub workflow. One line per target; exit 1 on any failure.
#
#   scripts/cross-check.sh [--skip-if-offline] [TARGET...]
#
# With --skip-if-offline (scripts/test.sh), a refused `rustup target add`
# prints `SKIPPED cross-check: <reason>` and exits 0. Naming targets limits the
# run to them (all nine by default).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT_DIR=$PWD

CHECK_ONLY=(x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc aarch64-pc-windows-msvc)
RUN=(x86_64-pc-windows-gnu aarch64-unknown-linux-gnu aarch64-unknown-linux-musl x86_64-unknown-linux-musl)
TARGETS=(x86_64-unknown-linux-gnu "${RUN[@]}" "${CHECK_ONLY[@]}")
DEBIAN_PACKAGES=(gcc-mingw-w64-x86-64 wine gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user musl-tools clang llvm)
# One target dir for all: cargo keeps each triple apart under it, and the
# binaries run below are the ones this run just built (paths by triple).
export CARGO_TARGET_DIR="$ROOT_DIR/target/cross"

skip_if_offline=false
[ "${1:-}" = "--skip-if-offline" ] && skip_if_offline=true && shift
if [ $# -gt 0 ]; then
    for t in "$@"; do
        [[ " ${TARGETS[*]} " == *" $t "* ]] || { echo "cross-check: unknown target $t (one of: ${TARGETS[*]})" >&2; exit 2; }
    done
    TARGETS=("$@")
fi
selected() { [[ " ${TARGETS[*]} " == *" $1 "* ]]; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! added=$(rustup target add "${TARGETS[@]}" 2>&1); then
    reason=$(printf '%s\n' "$added" | grep -i error | head -n 1)
    if $skip_if_offline; then
        echo "####################################################################"
        echo "SKIPPED cross-check: rustup target add failed: ${reason:-no reason given}"
        echo "####################################################################"
        exit 0
    fi
    echo "cross-check: rustup target add failed: $reason" >&2
    exit 1
fi

# ring's build script compiles C even for `cargo check`. Where no SDK exists
# (darwin, msvc), clang compiles it freestanding against a stub header.
STUBS="$CARGO_TARGET_DIR/stubs"
mkdir -p "$STUBS/darwin" "$STUBS/msvc"
printf '#define TARGET_OS_MAC 1\n#define TARGET_OS_OSX 1\n#define TARGET_OS_IPHONE 0\n' >"$STUBS/darwin/TargetConditionals.h"
: >"$STUBS/msvc/stdlib.h"
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
# Both musl targets link with rust-lld against the crt objects, libc and
# libunwind that rustup ships with the target (musl-tools has no libunwind:
# `-lunwind` fails with musl-gcc). ring's C is compiled by musl-gcc on x86_64;
# Debian has no aarch64 musl gcc, and ring's C there is freestanding.
export CC_x86_64_unknown_linux_musl=musl-gcc CC_aarch64_unknown_linux_musl=aarch64-linux-gnu-gcc
for var in X86_64_UNKNOWN_LINUX_MUSL AARCH64_UNKNOWN_LINUX_MUSL; do
    export "CARGO_TARGET_${var}_LINKER=rust-lld"
    export "CARGO_TARGET_${var}_RUSTFLAGS=-C linker-flavor=ld.lld -C link-self-contained=yes"
done
PATH="$PATH:$(dirname "$(rustc --print target-libdir)")/bin"
for t in "${CHECK_ONLY[@]}"; do
    var=${t//-/_}
    stub=$STUBS/darwin
    case $t in *msvc) stub=$STUBS/msvc ;; esac
    export "CC_$var=clang" "AR_$var=llvm-ar"
    export "CFLAGS_$var=-ffreestanding -nostdlibinc -DRING_CORE_NOSTDLIBINC=1 -isystem $stub"
done

failures=0
declare -A LINE
note() { LINE[$1]="${LINE[$1]:-}$2"; }
timed() { # timed TARGET LABEL command...: runs it, notes "LABEL Ns" or fails the target
    local target=$1 label=$2 start=$SECONDS log
    shift 2
    log="$CARGO_TARGET_DIR/log-$target-${label// /-}.txt"
    if "$@" >"$log" 2>&1; then
        note "$target" " $label $((SECONDS - start))s;"
    else
        note "$target" " $label FAILED ($((SECONDS - start))s, see $log);"
        tail -n 30 "$log" >&2
        failures=$((failures + 1))
        return 1
    fi
}

for t in "${TARGETS[@]}"; do
    timed "$t" "checked+clippy" cargo clippy --locked --keep-going --target "$t" --lib --bins --tests -- -D warnings
done

# A local signed release of sample commands, made by bitnet-release on the host.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cross-check.XXXXXX")
# wineserver keeps writing to the prefix for a while: stop it before removing it.
trap 'WINEPREFIX="$WORK/wine" wineserver -k 2>/dev/null; rm -rf "$WORK"' EXIT
cargo build --locked --quiet --bin bitnet-release --target-dir "$ROOT_DIR/target" || exit 1
RELEASE="$ROOT_DIR/target/debug/bitnet-release"
"$RELEASE" keygen --output-dir "$WORK/keys" --name cross >/dev/null
export BITNET_PUBLIC_KEY="$WORK/keys/cross.pub"

# release VERSION TARGET VARIANT FILE...: packages and seals under $WORK/root.
release() {
    local version=$1 target=$2 variant=$3
    shift 3
    mkdir -p "$WORK/root/v$version"
    "$RELEASE" package --product bitnet --version "$version" --target "$target" \
        ${variant:+--variant "$variant"} --out "$WORK/root/v$version" "$@" >/dev/null
}
seal_all() {
    for dir in "$WORK"/root/v*; do
        v=${dir##*/v}
        "$RELEASE" seal "$dir" --product bitnet --version "$v" --key "$WORK/keys/cross.key" >/dev/null
    done
    "$RELEASE" index "$WORK/root" --product bitnet --key "$WORK/keys/cross.key" --expires-in 30d >/dev/null
}

# Sample commands (both of the product's, as every release must hold them): a
# shell script for Linux, a real PE built with mingw for Windows.
mkdir -p "$WORK/build"
for v in 0.3.1 0.3.2; do
    for command in bitnet-cli bitnet-server; do
        printf '#!/bin/sh\necho "%s %s"\n' "$command" "$v" >"$WORK/build/$command"
        chmod 755 "$WORK/build/$command"
    done
    for target in aarch64-unknown-linux-gnu aarch64-unknown-linux-musl x86_64-unknown-linux-musl; do
        release "$v" "$target" "" "$WORK/build/bitnet-cli" "$WORK/build/bitnet-server"
    done
    for target in aarch64-unknown-linux-gnu aarch64-unknown-linux-musl; do
        release "$v" "$target" neon "$WORK/build/bitnet-cli" "$WORK/build/bitnet-server"
    done
    mkdir -p "$WORK/build/win-$v"
    for command in bitnet-cli bitnet-server; do
        printf '#include <stdio.h>\nint main(void){puts("%s %s");return 0;}\n' "$command" "$v" >"$WORK/build/$command.c"
        x86_64-w64-mingw32-gcc -O1 -o "$WORK/build/win-$v/$command.exe" "$WORK/build/$command.c"
    done
    release "$v" x86_64-pc-windows-msvc "" "$WORK/build/win-$v/bitnet-cli.exe" "$WORK/build/win-$v/bitnet-server.exe"
done
seal_all

build() { cargo build --locked --quiet --target "$1" --bin bitnet-install; }
exe() { echo "$CARGO_TARGET_DIR/$1/debug/bitnet-install$2"; }

# --- Windows under wine -----------------------------------------------------
run_wine() {
    local t=x86_64-pc-windows-gnu
    export WINEPREFIX="$WORK/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    wineboot -i >/dev/null 2>&1
    # wine 8 lacks ProcessPrng, which Rust's std imports: a mingw shim DLL.
    printf '%s\n' '#include <windows.h>' '#include <bcrypt.h>' \
        '__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {' \
        '  return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0; }' >"$WORK/prng.c"
    x86_64-w64-mingw32-gcc -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" "$WORK/prng.c" -lbcrypt
    local bin; bin=$(exe $t .exe)
    local root; root=$(winepath -w "$WORK/root" 2>/dev/null)
    local -x BITNET_PUBLIC_KEY; BITNET_PUBLIC_KEY=$(winepath -w "$WORK/keys/cross.pub" 2>/dev/null)
    local w="wine $bin"
    local cli; cli="$(wine cmd /c echo %LOCALAPPDATA% | tr -d '\r')\\bitnet\\bin\\bitnet-cli.exe"
    $w -V | grep -q bitnet-install &&
        $w detect --json | grep -q '"os":"windows"' &&
        $w install --version 0.3.1 --from "$root" &&
        $w install --version 0.3.2 --from "$root" &&
        $w list | grep -q 0.3.1 &&
        wine "$cli" | grep -q "bitnet-cli 0.3.2" &&
        $w use 0.3.1 &&
        wine "$cli" | grep -q "bitnet-cli 0.3.1" &&
        $w rollback &&
        wine "$cli" | grep -q "bitnet-cli 0.3.2" &&
        wine reg query 'HKCU\Environment' /v Path | grep -qi 'REG_EXPAND_SZ.*bitnet\\bin' &&
        $w uninstall --all &&
        ! wine reg query 'HKCU\Environment' /v Path 2>/dev/null | grep -qi 'bitnet\\bin'
}
# --- aarch64 Linux under qemu-user, x86_64 musl natively -----------------------
run_linux() { # run_linux TARGET RUNNER...
    local t=$1
    shift
    local bin; bin=$(exe "$t" "")
    local home="$WORK/home-$t"
    mkdir -p "$home"
    env HOME="$home" BITNET_NO_MODIFY_PATH=1 "$@" "$bin" detect --json --from "$WORK/root" >"$WORK/detect-$t.json" &&
        { [[ $t != aarch64* ]] || grep -q 'neon' "$WORK/detect-$t.json"; } &&
        env HOME="$home" BITNET_NO_MODIFY_PATH=1 "$@" "$bin" install --version 0.3.2 --from "$WORK/root" --json >"$WORK/install-$t.json" &&
        { [[ $t != aarch64* ]] || grep -q -- '-neon' "$WORK/install-$t.json"; } &&
        "$home/.local/bin/bitnet-cli" | grep -q "bitnet-cli 0.3.2"
}
run_static() {
    local bin; bin=$(exe x86_64-unknown-linux-musl "")
    # ldd says "statically linked" of a static PIE, "not a dynamic executable" otherwise.
    ldd "$bin" 2>&1 | grep -Eq "statically linked|not a dynamic executable" && run_linux x86_64-unknown-linux-musl
}

QEMU=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
if selected x86_64-pc-windows-gnu; then
    timed x86_64-pc-windows-gnu linked build x86_64-pc-windows-gnu &&
        timed x86_64-pc-windows-gnu "ran (wine)" run_wine
fi
for t in aarch64-unknown-linux-gnu aarch64-unknown-linux-musl; do
    selected "$t" || continue
    timed "$t" linked build "$t" && timed "$t" "ran (qemu)" run_linux "$t" "${QEMU[@]}"
done
if selected x86_64-unknown-linux-musl; then
    timed x86_64-unknown-linux-musl linked build x86_64-unknown-linux-musl &&
        timed x86_64-unknown-linux-musl "ran (static)" run_static
fi
for t in "${CHECK_ONLY[@]}"; do
    selected "$t" && note "$t" " not linked: no SDK here (GitHub workflow);"
done

echo "==> cross-check"
for t in "${TARGETS[@]}"; do printf '%-28s%s\n' "$t" "${LINE[$t]}"; done
if [ "$failures" -gt 0 ]; then
    echo "cross-check: $failures step(s) failed" >&2
    exit 1
fi
