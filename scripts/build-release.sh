#!/usr/bin/env bash
# Builds the static `bitnet-install` (and `bitnet-release`) for
# x86_64-unknown-linux-gnu with glibc linked in (+crt-static), proves that the
# result is static and does not depend on glibc's NSS, and reports its size
# against the 5 MiB budget. Other release targets are built the same way by a
# CI that has their toolchains: see docs/RELEASING.md.
#
#   scripts/build-release.sh [--version V] [--out DIR]
#
# With --out, the installer is also written there as the bare release asset
# bitnet-install-<V>-<target> (CONTRACT 2.1), ready for `bitnet-release seal`.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-unknown-linux-gnu
BUDGET_BYTES=$((5 * 1024 * 1024))
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
out=""

while [ $# -gt 0 ]; do
    case "$1" in
        --version) version="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        *) echo "build-release.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "==> cargo build --release --target $TARGET (+crt-static)"
# --target keeps RUSTFLAGS away from build scripts and proc macros, which must
# stay dynamic host programs.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --release --locked --target "$TARGET" \
    --bin bitnet-install --bin bitnet-release

bin="target/$TARGET/release/bitnet-install"
linkage=$(ldd "$bin" 2>&1 || true)
case "$linkage" in
    *"not a dynamic executable"* | *"statically linked"*) ;;
    *) echo "build-release.sh: $bin is not static:" >&2; echo "$linkage" >&2; exit 1 ;;
esac

size=$(stat -c %s "$bin")
awk -v f="$bin" -v s="$size" -v b="$BUDGET_BYTES" \
    'BEGIN { printf "==> %s: %d bytes (%.2f MiB), budget %d bytes (5 MiB)\n", f, s, s / 1048576, b }'
if [ "$size" -gt "$BUDGET_BYTES" ]; then
    echo "build-release.sh: over the size budget" >&2
    exit 1
fi

"$bin" --version

# A static glibc cannot load its NSS modules (libnss_*.so) at run time, so names
# must be resolved by hickory-dns (src/http.rs), which reads /etc/hosts and
# /etc/resolv.conf itself. glibc's getaddrinfo is still linked (reqwest's unused
# fallback resolver), so this is checked by running the binary: resolve
# `localhost` and fail if it ever touches nsswitch.conf or an NSS module.
if command -v strace >/dev/null; then
    env -i HOME="$work" PATH=/usr/bin:/bin timeout 120 \
        strace -f -qq -e trace=openat,open -o "$work/trace" \
        "$bin" install --dry-run --from http://localhost:9/ \
        --prefix "$work/prefix" --bin-dir "$work/bin" >/dev/null 2>&1 || true
    if grep -E 'nsswitch\.conf|libnss_' "$work/trace"; then
        echo "build-release.sh: name resolution went through glibc NSS" >&2
        exit 1
    fi
    if ! grep -q '/etc/hosts' "$work/trace"; then
        echo "build-release.sh: localhost was not resolved through hickory-dns" >&2
        exit 1
    fi
    echo "==> names resolve through hickory-dns, not glibc NSS"
else
    echo "==> strace not installed: skipped the run-time check of name resolution"
fi

if [ -n "$out" ]; then
    mkdir -p "$out"
    asset="$out/bitnet-install-$version-$TARGET"
    cp "$bin" "$asset"
    chmod 0755 "$asset"
    echo "==> wrote $asset"
fi
