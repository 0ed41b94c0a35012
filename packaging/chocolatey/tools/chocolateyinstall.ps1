# Rendered by `bitnet-release packaging`. Chocolatey checks the SHA-256 of the
# download before unpacking it, and shims every .exe under the package folder.
$ErrorActionPreference = 'Stop'

$toolsDir = Split-Path -Parent $MyInvocation.MyCommand.Definition

$packageArgs = @{
  packageName    = $env:ChocolateyPackageName
  unzipLocation  = $toolsDir
  url64bit       = '{{url x86_64-pc-windows-msvc}}'
  checksum64     = '{{sha256 x86_64-pc-windows-msvc}}'
  checksumType64 = 'sha256'
}

Install-ChocolateyZipPackage @packageArgs
