#!/bin/sh
# Bootstrap for bitnet-install on Linux and macOS, rendered by `bitnet-release scripts`.
#
#     curl --proto '=https' --tlsv1.2 -sSf https://HOST/install.sh | sh -s -- [OPTIONS]
#
# It downloads bitnet-install @VERSION@ for this machine, checks the download
# against the SHA-256 pinned below (never skipped), and runs
# `bitnet-install install [OPTIONS]`, which copies itself into the bin dir and
# installs BitNet. Run `bitnet-install --help` afterwards for the options.
#
# By default the installer comes from the directory this script was rendered for
# (GitHub: .../releases/download/bitnet-install-v<VERSION>/).
#
# Environment:
#     BITNET_UPDATE_ROOT   an https:// mirror of the installer's releases, laid out
#                          as <root>/v<VERSION>/bitnet-install-<VERSION>-<TARGET>
#
# The whole script is one `{ ... }` block that ends by calling `main`: a shell runs
# nothing of it until the closing brace has arrived, so a download cut short
# (even right after `main`) runs nothing. The script is POSIX sh: no bash features.

{
set -u

BITNET_INSTALLER_VERSION='@VERSION@'
BITNET_INSTALLER_DOWNLOAD='@DOWNLOAD_DIR@'

# The SHA-256 of each installer build of this version, by target triple.
pinned_sha256() {
    case "$1" in
        # @SHA256_TABLE@
        *) return 1 ;;
    esac
}

say() {
    printf 'bitnet-install: %s\n' "$1" >&2
}

# Exit codes follow bitnet-install's: 2 bad input, 3 no build for this machine,
# 4 network, 5 verification, 6 local failure, 1 anything else.
die() {
    say "error: $2"
    exit "$1"
}

check_rendered() {
    case "$BITNET_INSTALLER_VERSION" in
        *@*) die 1 "this is the unrendered template of install.sh; use the install.sh published with a release." ;;
    esac
}

has() {
    command -v "$1" >/dev/null 2>&1
}

# Sets _target to the triple of the installer build for this machine. The Linux
# installer is static, so any libc runs the gnu build; a musl build is preferred
# on a musl system when the release has one.
detect_target() {
    _os=$(uname -s) || die 1 "uname failed; cannot tell this machine's operating system."
    _arch=$(uname -m) || die 1 "uname failed; cannot tell this machine's architecture."
    case "$_os" in
        Linux) _os_part=unknown-linux-gnu ;;
        Darwin)
            _os_part=apple-darwin
            # A shell under Rosetta sees x86_64; the machine is still an arm64 Mac.
            if [ "$_arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null)" = 1 ]; then
                _arch=arm64
            fi
            ;;
        MINGW* | MSYS* | CYGWIN* | Windows*)
            die 3 "on Windows, use install.ps1 from PowerShell instead of install.sh." ;;
        *) die 3 "no bitnet-install build for the operating system '$_os'." ;;
    esac
    case "$_arch" in
        x86_64 | amd64) _arch=x86_64 ;;
        aarch64 | arm64) _arch=aarch64 ;;
        *) die 3 "no bitnet-install build for the architecture '$_arch' ($_os)." ;;
    esac
    _target="$_arch-$_os_part"
    if [ "$_os" = Linux ] && is_musl_system && pinned_sha256 "$_arch-unknown-linux-musl" >/dev/null; then
        _target="$_arch-unknown-linux-musl"
    fi
}

is_musl_system() {
    for _loader in /lib/ld-musl-*.so.1; do
        [ -e "$_loader" ] && return 0
    done
    return 1
}

# Sets _dir, the https:// directory holding this version's installer builds:
# <BITNET_UPDATE_ROOT>/v<VERSION> for a mirror, else the one this script was
# rendered for.
choose_download_dir() {
    if [ -z "${BITNET_UPDATE_ROOT:-}" ]; then
        _dir=$BITNET_INSTALLER_DOWNLOAD
        return 0
    fi
    _root=$BITNET_UPDATE_ROOT
    while [ "${_root%/}" != "$_root" ]; do
        _root=${_root%/}
    done
    case "$_root" in
        https://?*) _dir="$_root/v$BITNET_INSTALLER_VERSION" ;;
        *) die 2 "the installer root '$_root' is not an https:// URL; set BITNET_UPDATE_ROOT to an https:// mirror." ;;
    esac
}

# Sets _downloader to curl or wget. Only GNU wget has the options that keep the
# download on https (BusyBox's does not), so another wget does not count.
choose_downloader() {
    if has curl; then
        _downloader=curl
    elif has wget && is_gnu_wget; then
        _downloader=wget
    else
        die 1 "neither curl nor GNU wget was found; install one of them and run this script again."
    fi
}

is_gnu_wget() {
    case "$(wget --help 2>&1)" in
        *--https-only*) return 0 ;;
        *) return 1 ;;
    esac
}

# Sets _hasher to the first SHA-256 tool found; without one the download cannot be
# checked, so nothing runs.
choose_hasher() {
    for _tool in sha256sum shasum openssl; do
        if has "$_tool"; then
            _hasher=$_tool
            return 0
        fi
    done
    die 1 "no SHA-256 tool (sha256sum, shasum or openssl) was found, so the download cannot be checked; install coreutils or openssl and run this script again."
}

# Sets _tmp to a new private directory where a program can be executed: /tmp is
# sometimes mounted noexec, so ~/.cache and ~ are tried next.
make_temp_dir() {
    for _base in "${TMPDIR:-/tmp}" "${HOME:+$HOME/.cache}" "${HOME:-}"; do
        [ -n "$_base" ] || continue
        mkdir -p "$_base" 2>/dev/null || continue
        _tmp=$(mktemp -d "$_base/bitnet-install.XXXXXX" 2>/dev/null) || continue
        if can_execute_in "$_tmp"; then
            return 0
        fi
        rm -rf "$_tmp"
    done
    _tmp=
    die 6 "could not create a directory to run the installer from in ${TMPDIR:-/tmp}, ~/.cache or ~; set TMPDIR to a writable directory that allows running programs."
}

can_execute_in() {
    printf '#!/bin/sh\nexit 0\n' >"$1/probe" 2>/dev/null &&
        chmod +x "$1/probe" 2>/dev/null &&
        "$1/probe" 2>/dev/null &&
        rm -f "$1/probe"
}

cleanup() {
    if [ -n "${_tmp:-}" ]; then
        rm -rf "$_tmp"
        _tmp=
    fi
}

download() {
    case "$_downloader" in
        curl) curl --proto '=https' --proto-redir '=https' --tlsv1.2 --retry 3 -fsSL -o "$2" "$1" ;;
        wget) wget_https "$1" "$2" ;;
    esac || die 4 "could not download $1 with $_downloader; check the connection and proxy settings (HTTPS_PROXY), then try again."
}

# GNU wget cannot keep the redirects of a single download on https, so every
# Location it followed is checked afterwards, and the file is dropped unless all
# of them stayed on https (a relative Location keeps the scheme).
wget_https() {
    wget --https-only --secure-protocol=TLSv1_2 --tries=3 -nv --server-response -O "$2" "$1" 2>"$_tmp/wget.log" || return 1
    while IFS= read -r _line; do
        case "$_line" in
            *[Ll]ocation:\ *)
                _to=${_line#*ocation: }
                case "$_to" in
                    https://*) ;;
                    *://*)
                        rm -f "$2"
                        die 4 "$1 redirected to $_to, which is not https; nothing was run." ;;
                esac ;;
        esac
    done <"$_tmp/wget.log"
}

# Prints the lowercase hex SHA-256 of file $1 (nothing if the tool failed).
file_sha256() {
    case "$_hasher" in
        sha256sum) _digest=$(sha256sum <"$1") && printf '%s\n' "${_digest%% *}" ;;
        shasum) _digest=$(shasum -a 256 <"$1") && printf '%s\n' "${_digest%% *}" ;;
        openssl) _digest=$(openssl dgst -sha256 <"$1") && printf '%s\n' "${_digest##* }" ;;
    esac
}

verify_sha256() {
    _actual=$(file_sha256 "$1")
    if [ -z "$_actual" ] || [ "$_actual" != "$2" ]; then
        die 5 "the downloaded $3 has SHA-256 '${_actual:-unknown}' but this script pins $2; nothing was run. The download or the mirror may have been tampered with: do not bypass this check, report it."
    fi
}

# The installer gets a terminal when there is one, and otherwise /dev/null; never
# this script's own standard input, which under `curl | sh` is the rest of the script.
run_installer() {
    if [ -t 0 ]; then
        "$_exe" install "$@"
    elif [ -t 1 ] && (: </dev/tty) 2>/dev/null; then
        "$_exe" install "$@" </dev/tty
    else
        "$_exe" install "$@" </dev/null
    fi
}

main() {
    check_rendered
    detect_target
    choose_download_dir
    _expected=$(pinned_sha256 "$_target") ||
        die 3 "bitnet-install $BITNET_INSTALLER_VERSION has no build for $_target."
    _asset="bitnet-install-$BITNET_INSTALLER_VERSION-$_target"
    choose_downloader
    choose_hasher

    _tmp=
    trap cleanup EXIT
    trap 'cleanup; exit 129' HUP
    trap 'cleanup; exit 130' INT
    trap 'cleanup; exit 143' TERM
    make_temp_dir
    _exe="$_tmp/bitnet-install"

    say "downloading $_asset"
    download "$_dir/$_asset" "$_exe"
    verify_sha256 "$_exe" "$_expected" "$_asset"
    chmod +x "$_exe" || die 6 "could not make $_exe executable."

    run_installer "$@"
    _status=$?
    cleanup
    return "$_status"
}

main "$@"
}
