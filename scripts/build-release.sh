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

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "==> cargo build --release --target $TARGET (+crt-static)"
# --target keeps RUSTFLAGS away from build scripts and proc macros, which must
# stay dynamic host programs.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --release --locked --target "$TARGET" \
    --bin bitnet-install --bin bitnet-release 2>&1 | tee "$log"

# glibc prints this linker warning for every NSS entry point that a static
# binary could reach; the HTTP client resolves names with hickory-dns so none
# of them may be called, and seeing one means a resolver crept back in.
if grep -E "Using '(getaddrinfo|gethostbyname|getpwnam|getpwuid)[a-z_]*' in statically linked" "$log"; then
    echo "build-release.sh: the static build calls glibc NSS (see the warning above)" >&2
    exit 1
fi

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

if [ -n "$out" ]; then
    mkdir -p "$out"
    asset="$out/bitnet-install-$version-$TARGET"
    cp "$bin" "$asset"
    chmod 0755 "$asset"
    echo "==> wrote $asset"
fi
