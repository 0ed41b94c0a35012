# Bootstrap for bitnet-install on Windows (PowerShell 5.1 and 7), rendered by
# `bitnet-release scripts`.
#
#     irm https://HOST/install.ps1 | iex
#     & ([scriptblock]::Create((irm https://HOST/install.ps1))) --version 0.3
#     powershell -ExecutionPolicy Bypass -File install.ps1 --version 0.3
#
# It downloads bitnet-install @VERSION@ for this machine, checks the download
# against the SHA-256 pinned below (never skipped), and runs
# `bitnet-install install [OPTIONS]`, which copies itself into the bin dir and
# installs BitNet.
#
# By default the installer comes from the directory this script was rendered for
# (GitHub: .../releases/download/bitnet-install-v<VERSION>/).
#
# Environment:
#     BITNET_UPDATE_ROOT   an https:// mirror of the installer's releases, laid out
#                          as <root>/v<VERSION>/bitnet-install-<VERSION>-<TARGET>.exe
#
# Everything after the first line is one script block whose last statement calls
# Install-Bitnet: PowerShell parses the whole block before running any of it, so a
# download cut short (even right after `Install-Bitnet`) is a parse error and runs
# nothing. Errors are thrown rather than `exit`ed, so that running the script
# through `iex` does not close the user's PowerShell window.

$BitnetInstallerArgs = $args
& {

function Get-BitnetPinnedSha256 {
    # The SHA-256 of each installer build of this version, by target triple.
    return @{
        # @SHA256_TABLE@
    }
}

function Get-BitnetOsArchitecture {
    # The OS's architecture, not this process's: a 32-bit or emulated PowerShell
    # on a 64-bit or ARM64 Windows still gets the build for the machine.
    try {
        $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture
        if ($null -ne $arch) {
            return $arch.ToString()
        }
    } catch {
        # .NET Framework before 4.7.1 has no RuntimeInformation; use the environment.
    }
    if ($env:PROCESSOR_ARCHITEW6432) {
        return $env:PROCESSOR_ARCHITEW6432
    }
    return $env:PROCESSOR_ARCHITECTURE
}

function Get-BitnetTarget {
    $arch = Get-BitnetOsArchitecture
    switch ($arch) {
        'X64' { return 'x86_64-pc-windows-msvc' }
        'AMD64' { return 'x86_64-pc-windows-msvc' }
        'Arm64' { return 'aarch64-pc-windows-msvc' }
        default { throw "bitnet-install has no build for the Windows architecture '$arch'." }
    }
}

function Get-BitnetDownloadDir {
    # <BITNET_UPDATE_ROOT>/v<VERSION> for a mirror, else the directory this script
    # was rendered for.
    param([string] $Default, [string] $Version)
    if (-not $env:BITNET_UPDATE_ROOT) {
        return $Default
    }
    $root = $env:BITNET_UPDATE_ROOT.TrimEnd('/')
    if (-not $root.StartsWith('https://', [System.StringComparison]::OrdinalIgnoreCase) -or $root.Length -le 8) {
        throw "the installer root '$root' is not an https:// URL; set BITNET_UPDATE_ROOT to an https:// mirror."
    }
    return "$root/v$Version"
}

function Enable-BitnetTls12 {
    # Windows PowerShell 5.1 may still default to TLS 1.0, which servers refuse.
    if ($PSVersionTable.PSVersion.Major -lt 6) {
        [System.Net.ServicePointManager]::SecurityProtocol =
            [System.Net.ServicePointManager]::SecurityProtocol -bor [System.Net.SecurityProtocolType]::Tls12
    }
}

function Test-BitnetSha256 {
    param([string] $Path, [string] $Expected, [string] $Asset)
    $actual = (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
    if ($actual -ne $Expected) {
        throw "the downloaded $Asset has SHA-256 '$actual' but this script pins $Expected; nothing was run. The download or the mirror may have been tampered with: do not bypass this check, report it."
    }
}

function Install-Bitnet {
    param([string[]] $InstallerArgs)
    $ErrorActionPreference = 'Stop'
    # The progress bar of Invoke-WebRequest makes Windows PowerShell download slowly.
    $ProgressPreference = 'SilentlyContinue'

    $version = '@VERSION@'
    if ($version.Contains('@')) {
        throw 'this is the unrendered template of install.ps1; use the install.ps1 published with a release.'
    }
    $target = Get-BitnetTarget
    $pinned = Get-BitnetPinnedSha256
    if (-not $pinned.ContainsKey($target)) {
        throw "bitnet-install $version has no build for $target."
    }
    $dir = Get-BitnetDownloadDir -Default '@DOWNLOAD_DIR@' -Version $version
    $asset = "bitnet-install-$version-$target.exe"
    Enable-BitnetTls12

    $tmp = Join-Path ([System.IO.Path]::GetTempPath()) ('bitnet-install-' + [System.Guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $tmp | Out-Null
    try {
        $exe = Join-Path $tmp 'bitnet-install.exe'
        $url = "$dir/$asset"
        Write-Host "bitnet-install: downloading $asset"
        try {
            # Windows PowerShell and PowerShell 7 both refuse an https -> http redirect.
            Invoke-WebRequest -Uri $url -OutFile $exe -UseBasicParsing
        } catch {
            throw "could not download ${url}: $($_.Exception.Message)"
        }
        Test-BitnetSha256 -Path $exe -Expected $pinned[$target] -Asset $asset

        if ($null -eq $InstallerArgs) {
            $InstallerArgs = @()
        }
        & $exe install @InstallerArgs
        $status = $LASTEXITCODE
    } finally {
        Remove-Item -LiteralPath $tmp -Recurse -Force -ErrorAction SilentlyContinue
    }
    $global:LASTEXITCODE = $status
    if ($status -ne 0) {
        throw "bitnet-install exited with code $status."
    }
}

Install-Bitnet -InstallerArgs $BitnetInstallerArgs
}
