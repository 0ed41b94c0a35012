#!/usr/bin/env bash
# The offline demo: build both binaries, make a signing key and signed releases
# of sample BitNet executables for this machine, serve them from a local root,
# install with bitnet-install into a temporary prefix, run the installed
# command, then update, roll back and verify. Nothing touches the network.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

say "building bitnet-install and bitnet-release (release profile)"
cargo build --release --locked --bins
BIN="$PWD/target/release"
RELEASE="$BIN/bitnet-release"
INSTALL="$BIN/bitnet-install"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bitnet-demo.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/root"
mkdir -p "$ROOT" "$WORK/build"

say "making a signing key"
"$RELEASE" keygen --output-dir "$WORK/keys" --name demo >/dev/null
KEY="$WORK/keys/demo.pub"

TARGET="x86_64-unknown-linux-gnu"
make_release() {
    local version="$1" variant files
    for tool in bitnet-cli bitnet-server; do
        printf '#!/bin/sh\necho "%s %s: BitNet inference, sample build"\n' "$tool" "$version" >"$WORK/build/$tool"
        chmod 755 "$WORK/build/$tool"
    done
    files=("$WORK/build/bitnet-cli" "$WORK/build/bitnet-server")
    mkdir -p "$ROOT/v$version"
    "$RELEASE" package --product bitnet --version "$version" --target "$TARGET" --out "$ROOT/v$version" "${files[@]}" >/dev/null
    for variant in avx2 avx512; do
        "$RELEASE" package --product bitnet --version "$version" --target "$TARGET" --variant "$variant" \
            --out "$ROOT/v$version" "${files[@]}" >/dev/null
    done
    "$RELEASE" seal "$ROOT/v$version" --product bitnet --version "$version" --key "$WORK/keys/demo.key"
}

say "packaging and sealing bitnet 0.3.1 and 0.3.2 (baseline, avx2 and avx512 builds)"
make_release 0.3.1
make_release 0.3.2
"$RELEASE" index "$ROOT" --product bitnet --key "$WORK/keys/demo.key" --expires-in 30d
ls -R "$ROOT" | sed 's/^/    /'

say "the signatures verify with the standard tools too"
(cd "$ROOT/v0.3.2" && minisign -Vm SHA256SUMS -p "$KEY" -q && sha256sum -c --quiet SHA256SUMS && echo "    minisign and sha256sum: OK") \
    || echo "    (minisign not installed: skipped the cross-check)"

export BITNET_HOME="$WORK/prefix" BITNET_BIN_DIR="$WORK/bin" BITNET_NO_MODIFY_PATH=1 BITNET_PUBLIC_KEY="$KEY"

say "bitnet-install detect"
"$INSTALL" detect --from "$ROOT"

say "bitnet-install install --version 0.3.1 --from $ROOT"
started=$(date +%s%N)
"$INSTALL" install --version 0.3.1 --from "$ROOT"
echo "    took $(( ($(date +%s%N) - started) / 1000000 )) ms"

say "running the installed command"
"$WORK/bin/bitnet-cli"

say "bitnet-install update --check, then update"
"$INSTALL" update --check --from "$ROOT" || [ $? -eq 10 ]
"$INSTALL" update --from "$ROOT"
"$WORK/bin/bitnet-cli"

say "bitnet-install list, verify, rollback"
"$INSTALL" list
"$INSTALL" verify
"$INSTALL" rollback
"$WORK/bin/bitnet-cli"

say "a tampered asset is refused (exit 5) and the installed version keeps working"
picked=$("$INSTALL" install --version 0.3.2 --from "$ROOT" --dry-run --json | sed -n 's/.*"asset":"\([^"]*\)".*/\1/p')
printf 'tampered' >>"$ROOT/v0.3.2/$picked"
set +e
"$INSTALL" install --version 0.3.2 --from "$ROOT" --force
code=$?
set -e
echo "    exit code: $code"
"$WORK/bin/bitnet-cli"

say "done: installer $(du -h "$INSTALL" | cut -f1), everything lived in $WORK (now removed)"
