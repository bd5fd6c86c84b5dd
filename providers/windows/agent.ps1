# chainsmith Windows agent: PowerShell 5.1, run elevated (or as SYSTEM by Azure Run Command).
# JSON in, JSON out. It inventories stores and IIS https bindings, applies primitive
# idempotent steps, and asks Windows itself (X509Chain.Build, machine context) which chain
# it builds. Every decision is taken in TypeScript (providers/windows/planner.ts); this
# script only refuses steps that are unsafe on their own.
# Input: -InputJson (over SSH it arrives on stdin through the bootstrap); the PFX comes in
# the JSON's "pfx" field, or in -PfxBase64/-PfxPassword (Azure protected parameters).
# Output: one line "CHAINSMITH-AGENT-RESULT:" + JSON; exit code 0 on success, 1 on failure.
# The PFX password and bytes are never printed, logged or put in an error.
# -ContentHash is not read: Azure Run Command re-runs a script only when a parameter changes.
param([string]$InputJson, [string]$PfxBase64, [string]$PfxPassword, [string]$ContentHash)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Add-Type -AssemblyName System.Security
$X509 = 'System.Security.Cryptography.X509Certificates'
$LocalStores = @('My', 'WebHosting', 'CA', 'Root', 'AuthRoot', 'Disallowed')
$SystemStores = @('SYSTEM:CA', 'SYSTEM:Root')
$AutoUpdatePolicyKey = 'HKLM:\SOFTWARE\Policies\Microsoft\SystemCertificates\AuthRoot'

function Stop-Agent([string]$Code, [string]$Message) {
  $e = New-Object System.Exception $Message
  $e.Data['chainsmithCode'] = $Code
  throw $e
}

function ConvertTo-Hex([byte[]]$Bytes) { ($Bytes | ForEach-Object { $_.ToString('x2') }) -join '' }

function Get-Sha256Hex($Cert) {
  $sha = [System.Security.Cryptography.SHA256]::Create()
  ConvertTo-Hex $sha.ComputeHash($Cert.RawData)
}

# keyIdentifier [0] of AuthorityKeyIdentifier, read from the extension's DER.
function Get-AuthorityKeyId($Cert) {
  $ext = $Cert.Extensions | Where-Object { $_.Oid.Value -eq '2.5.29.35' } | Select-Object -First 1
  if (-not $ext) { return '' }
  $raw = $ext.RawData
  $i = 2
  if ($raw[1] -band 0x80) { $i = 2 + ($raw[1] -band 0x7f) }
  if ($raw[$i] -ne 0x80) { return '' }
  $len = $raw[$i + 1]
  ConvertTo-Hex $raw[($i + 2)..($i + 1 + $len)]
}

function Get-SubjectKeyId($Cert) {
  $ext = $Cert.Extensions | Where-Object { $_.Oid.Value -eq '2.5.29.14' } | Select-Object -First 1
  if (-not $ext) { return '' }
  ([System.Security.Cryptography.X509Certificates.X509SubjectKeyIdentifierExtension]$ext).SubjectKeyIdentifier.ToLower()
}

function New-CertificateFacts($Cert, [string]$Store) {
  [ordered]@{
    store          = $Store
    thumbprint     = $Cert.Thumbprint.ToUpper()
    sha256         = Get-Sha256Hex $Cert
    subject        = $Cert.Subject
    issuer         = $Cert.Issuer
    subjectKeyId   = Get-SubjectKeyId $Cert
    authorityKeyId = Get-AuthorityKeyId $Cert
    notBefore      = $Cert.NotBefore.ToUniversalTime().ToString('o')
    notAfter       = $Cert.NotAfter.ToUniversalTime().ToString('o')
    hasPrivateKey  = [bool]$Cert.HasPrivateKey
    derBase64      = [Convert]::ToBase64String($Cert.RawData)
  }
}

function Open-LocalStore([string]$Name, [string]$Mode) {
  $store = New-Object "$X509.X509Store" $Name, 'LocalMachine'
  try { $store.Open("$Mode, OpenExistingOnly") } catch {
    if ($Mode -eq 'ReadOnly') { return $null }
    $store.Open($Mode)
  }
  $store
}

# The SYSTEM account's user stores, read from its registry hive (no API opens another user's store).
function Get-SystemStoreKey([string]$Store) {
  "Registry::HKEY_USERS\S-1-5-18\Software\Microsoft\SystemCertificates\$($Store.Substring(7))\Certificates"
}

function Get-SystemStoreCertificates([string]$Store) {
  $key = Get-SystemStoreKey $Store
  if (-not (Test-Path $key)) { return @() }
  foreach ($item in Get-ChildItem $key) {
    $blob = (Get-ItemProperty $item.PSPath).Blob
    # A serialized certificate: (property id, reserved, length, data)*; property 32 is the DER.
    $i = 0
    while ($i + 12 -le $blob.Length) {
      $id = [BitConverter]::ToUInt32($blob, $i); $len = [BitConverter]::ToUInt32($blob, $i + 8)
      if ($id -eq 32) { New-Object "$X509.X509Certificate2" (, [byte[]]$blob[($i + 12)..($i + 11 + $len)]); break }
      $i += 12 + $len
    }
  }
}

function Get-StoreCertificates([string]$Store) {
  if ($SystemStores -contains $Store) { return @(Get-SystemStoreCertificates $Store) }
  $s = Open-LocalStore $Store 'ReadOnly'
  if (-not $s) { return @() }
  try { @($s.Certificates) } finally { $s.Close() }
}

function Find-Certificate([string]$Store, [string]$Thumbprint) {
  Get-StoreCertificates $Store | Where-Object { $_.Thumbprint -eq $Thumbprint } | Select-Object -First 1
}

function Find-LeafCertificate([string]$Thumbprint) {
  foreach ($store in @('My', 'WebHosting')) {
    $c = Find-Certificate $store $Thumbprint
    if ($c) { return $c }
  }
  Stop-Agent 'certificate-not-found' "No certificate $Thumbprint in LocalMachine\My or LocalMachine\WebHosting."
}

function New-BindingFacts($SiteName, $Binding) {
  if ($Binding.bindingInformation -notmatch '^(\[.*\]|[^:]*):(\d+):(.*)$') { return $null }
  $hash = ''
  if ($Binding.certificateHash) { $hash = $Binding.certificateHash.ToUpper() }
  [ordered]@{
    site             = $SiteName
    ip               = $Matches[1]
    port             = [int]$Matches[2]
    host             = $Matches[3]
    sslFlags         = [int]$Binding.sslFlags
    certificateHash  = $hash
    certificateStore = [string]$Binding.certificateStoreName
  }
}

function Get-IisState {
  Import-Module WebAdministration
  $sites = @(); $bindings = @()
  foreach ($site in Get-ChildItem IIS:\Sites) {
    $sites += $site.Name
    foreach ($b in $site.Bindings.Collection) {
      if ($b.protocol -eq 'https') { $f = New-BindingFacts $site.Name $b; if ($f) { $bindings += $f } }
    }
  }
  @{ sites = $sites; bindings = $bindings }
}

function Test-RootAutoUpdateDisabled {
  $p = Get-ItemProperty -Path $AutoUpdatePolicyKey -Name DisableRootAutoUpdate -ErrorAction SilentlyContinue
  [bool]($p -and $p.DisableRootAutoUpdate -eq 1)
}

function Invoke-Verb_inventory($Request) {
  $certs = @()
  foreach ($store in $LocalStores + $SystemStores) {
    foreach ($c in Get-StoreCertificates $store) { $certs += New-CertificateFacts $c $store }
  }
  $iis = Get-IisState
  [ordered]@{
    computerName           = $env:COMPUTERNAME
    certificates           = $certs
    sites                  = @($iis.sites)
    bindings               = @($iis.bindings)
    rootAutoUpdateDisabled = Test-RootAutoUpdateDisabled
  }
}

function New-MachineChain {
  $chain = New-Object "$X509.X509Chain" $true
  $chain.ChainPolicy.RevocationMode = 'NoCheck'
  $chain
}

function Invoke-Verb_chain($Request) {
  $cert = Find-LeafCertificate $Request.thumbprint
  $chain = New-MachineChain
  [void]$chain.Build($cert)
  $elements = @(foreach ($e in $chain.ChainElements) {
      [ordered]@{ thumbprint = $e.Certificate.Thumbprint.ToUpper(); sha256 = Get-Sha256Hex $e.Certificate; subject = $e.Certificate.Subject; derBase64 = [Convert]::ToBase64String($e.Certificate.RawData) }
    })
  [ordered]@{
    thumbprint = $cert.Thumbprint.ToUpper()
    elements   = $elements
    status     = @($chain.ChainStatus | ForEach-Object { $_.Status.ToString() })
  }
}

# Issuer == Subject AND the signature verifies with its own key: the chain engine, given
# the certificate alone, stops at it (one element) with no NotSignatureValid or PartialChain.
function Test-SelfSigned($Cert) {
  if ([Convert]::ToBase64String($Cert.SubjectName.RawData) -ne [Convert]::ToBase64String($Cert.IssuerName.RawData)) { return $false }
  $chain = New-MachineChain
  $chain.ChainPolicy.VerificationFlags = 'AllowUnknownCertificateAuthority'
  [void]$chain.Build($Cert)
  $bad = @($chain.ChainStatus | Where-Object { 'NotSignatureValid', 'PartialChain' -contains $_.Status.ToString() })
  ($chain.ChainElements.Count -eq 1) -and ($bad.Count -eq 0)
}

function ConvertFrom-Der([string]$Base64, [string]$Thumbprint) {
  $c = New-Object "$X509.X509Certificate2" (, [Convert]::FromBase64String($Base64))
  if ($c.Thumbprint -ne $Thumbprint) { Stop-Agent 'thumbprint-mismatch' "The certificate sent as $Thumbprint has thumbprint $($c.Thumbprint)." }
  $c
}

function Assert-Distrustable($Cert) {
  if (-not (Test-SelfSigned $Cert)) {
    Stop-Agent 'refused-not-self-signed' "Refused to distrust $($Cert.Subject) [$($Cert.Thumbprint)]: it is not self-signed. Only a self-signed root may go to Disallowed; a cross-signed certificate with the same subject must stay usable."
  }
}

function Get-PfxBytes($Request) {
  if ($PfxBase64) { return @{ bytes = [Convert]::FromBase64String($PfxBase64); password = $PfxPassword } }
  if ($Request.pfx) { return @{ bytes = [Convert]::FromBase64String($Request.pfx.base64); password = $Request.pfx.password } }
  Stop-Agent 'pfx-missing' 'An importPfx step was sent without a PFX.'
}

function Open-Pfx($Request, $Step, [string]$Flags) {
  $pfx = Get-PfxBytes $Request
  try { $c = New-Object "$X509.X509Certificate2" $pfx.bytes, $pfx.password, $Flags }
  catch { Stop-Agent 'pfx-import-failed' 'The PFX could not be opened: wrong password or damaged file. Nothing was changed.' }
  if ($c.Thumbprint -ne $Step.thumbprint -or -not $c.HasPrivateKey) {
    Stop-Agent 'pfx-import-failed' "The PFX holds $($c.Thumbprint) (private key: $($c.HasPrivateKey)), expected $($Step.thumbprint) with its key. Nothing was changed."
  }
  $c
}

function Find-Binding([string]$Site, [string]$Ip, [int]$Port, [string]$HostName) {
  $script:Bindings | Where-Object { $_.site -eq $Site -and $_.ip -eq $Ip -and $_.port -eq $Port -and $_.host -eq $HostName } | Select-Object -First 1
}

# Checks every step against the host before any is applied, so a refused apply changes nothing.
function Test-Step_importCertificate($Request, $Step) { if ($SystemStores -contains $Step.store) { Stop-Agent 'bad-step' "importCertificate writes LocalMachine stores only, not $($Step.store)." }; [void](ConvertFrom-Der $Step.derBase64 $Step.thumbprint) }
function Test-Step_moveToDisallowed($Request, $Step) { $c = Find-Certificate $Step.from $Step.thumbprint; if ($c) { Assert-Distrustable $c } }
function Test-Step_addToDisallowed($Request, $Step) { Assert-Distrustable (ConvertFrom-Der $Step.derBase64 $Step.thumbprint) }
function Test-Step_removeCertificate($Request, $Step) {
  $users = @($script:BindingsAfter | Where-Object { $_.certificateHash -eq $Step.thumbprint })
  if ($users.Count -gt 0 -and ('My', 'WebHosting' -contains $Step.store)) {
    Stop-Agent 'refused-in-use' "Refused to remove $($Step.thumbprint) from $($Step.store): the https binding $($users[0].ip):$($users[0].port):$($users[0].host) of site '$($users[0].site)' still uses it."
  }
}
function Test-Step_importPfx($Request, $Step) { $c = Open-Pfx $Request $Step 'MachineKeySet'; $c.Reset() }
function Test-Step_replaceBinding($Request, $Step) {
  if ($script:Sites -notcontains $Step.site) { Stop-Agent 'site-missing' "IIS site '$($Step.site)' does not exist. Sites: $($script:Sites -join ', ')." }
  $other = $script:Bindings | Where-Object { $_.site -ne $Step.site -and $_.ip -eq $Step.ip -and $_.port -eq $Step.port -and $_.host -eq $Step.host } | Select-Object -First 1
  if ($other) { Stop-Agent 'binding-conflict' "$($Step.ip):$($Step.port):$($Step.host) is already bound by site '$($other.site)' to certificate $($other.certificateHash)." }
}
function Test-Step_flushChainCaches($Request, $Step) {}
function Test-Step_iisreset($Request, $Step) {}
function Test-Step_disableRootAutoUpdate($Request, $Step) {}

function Remove-FromStore([string]$Store, [string]$Thumbprint) {
  if ($SystemStores -contains $Store) {
    $key = Join-Path (Get-SystemStoreKey $Store) $Thumbprint
    if (Test-Path $key) { Remove-Item $key -Recurse; return $true }
    return $false
  }
  $s = Open-LocalStore $Store 'ReadWrite'
  try {
    $found = @($s.Certificates | Where-Object { $_.Thumbprint -eq $Thumbprint })
    foreach ($c in $found) { $s.Remove($c) }
    $found.Count -gt 0
  } finally { $s.Close() }
}

function Add-ToStore([string]$Store, $Cert) {
  if (Find-Certificate $Store $Cert.Thumbprint) { return $false }
  $s = Open-LocalStore $Store 'ReadWrite'
  try { $s.Add($Cert) } finally { $s.Close() }
  $true
}

function Invoke-Step_importCertificate($Request, $Step) {
  if (Add-ToStore $Step.store (ConvertFrom-Der $Step.derBase64 $Step.thumbprint)) { "imported $($Step.thumbprint) into $($Step.store)" } else { "$($Step.thumbprint) already in $($Step.store)" }
}
function Invoke-Step_moveToDisallowed($Request, $Step) {
  $c = Find-Certificate $Step.from $Step.thumbprint
  if (-not $c) { return "$($Step.thumbprint) not in $($Step.from)" }
  [void](Add-ToStore 'Disallowed' $c)
  [void](Remove-FromStore $Step.from $Step.thumbprint)
  "moved $($Step.thumbprint) from $($Step.from) to Disallowed"
}
function Invoke-Step_addToDisallowed($Request, $Step) {
  if (Add-ToStore 'Disallowed' (ConvertFrom-Der $Step.derBase64 $Step.thumbprint)) { "added $($Step.thumbprint) to Disallowed" } else { "$($Step.thumbprint) already in Disallowed" }
}
function Invoke-Step_removeCertificate($Request, $Step) {
  if (Remove-FromStore $Step.store $Step.thumbprint) { "removed $($Step.thumbprint) from $($Step.store)" } else { "$($Step.thumbprint) not in $($Step.store)" }
}
function Invoke-Step_importPfx($Request, $Step) {
  if (Find-Certificate $Step.store $Step.thumbprint | Where-Object { $_.HasPrivateKey }) { return "$($Step.thumbprint) already in $($Step.store) with its key" }
  $flags = 'MachineKeySet, PersistKeySet'
  if ($Step.exportable) { $flags += ', Exportable' }
  [void](Add-ToStore $Step.store (Open-Pfx $Request $Step $flags))
  "imported the PFX of $($Step.thumbprint) into $($Step.store) (key exportable: $([bool]$Step.exportable))"
}
function Invoke-Step_replaceBinding($Request, $Step) {
  $hostPort = if ($Step.host) { "hostnameport=$($Step.host):$($Step.port)" } else { $ip = if ($Step.ip -eq '*') { '0.0.0.0' } else { $Step.ip }; "ipport=$($ip):$($Step.port)" }
  $existing = Find-Binding $Step.site $Step.ip $Step.port $Step.host
  if ($existing) { Remove-WebBinding -Name $Step.site -Protocol https -IPAddress $Step.ip -Port $Step.port -HostHeader $Step.host }
  # The http.sys binding outlives the IIS one; remove it too so the new certificate can be added.
  & netsh http delete sslcert $hostPort | Out-Null
  New-WebBinding -Name $Step.site -Protocol https -IPAddress $Step.ip -Port $Step.port -HostHeader $Step.host -SslFlags $Step.sslFlags
  if (($Step.sslFlags -band 2) -eq 0) {
    $b = Get-WebBinding -Name $Step.site -Protocol https -IPAddress $Step.ip -Port $Step.port -HostHeader $Step.host
    $b.AddSslCertificate($Step.certificateHash, $Step.certificateStore)
  }
  "bound $($Step.ip):$($Step.port):$($Step.host) of '$($Step.site)' to $($Step.certificateHash) in $($Step.certificateStore) (sslFlags $($Step.sslFlags))"
}
function Invoke-Step_flushChainCaches($Request, $Step) {
  & certutil -setreg chain\ChainCacheResyncFiletime '@now' | Out-Null
  if ($LASTEXITCODE -ne 0) { Stop-Agent 'flush-failed' "certutil -setreg chain\ChainCacheResyncFiletime failed ($LASTEXITCODE)." }
  & certutil -urlcache * delete | Out-Null
  'flushed the chain and URL caches'
}
function Invoke-Step_iisreset($Request, $Step) {
  & iisreset /noforce | Out-Null
  if ($LASTEXITCODE -ne 0) { Stop-Agent 'iisreset-failed' "iisreset failed ($LASTEXITCODE)." }
  'restarted IIS'
}
function Invoke-Step_disableRootAutoUpdate($Request, $Step) {
  if (-not (Test-Path $AutoUpdatePolicyKey)) { [void](New-Item -Path $AutoUpdatePolicyKey -Force) }
  Set-ItemProperty -Path $AutoUpdatePolicyKey -Name DisableRootAutoUpdate -Value 1 -Type DWord
  'set DisableRootAutoUpdate=1 (this host no longer receives new roots automatically)'
}

# The bindings as they will be once the apply's replaceBinding steps are done.
function Get-BindingsAfter($Steps) {
  $after = @($script:Bindings)
  foreach ($s in @($Steps | Where-Object { $_.kind -eq 'replaceBinding' })) {
    $after = @($after | Where-Object { -not ($_.site -eq $s.site -and $_.ip -eq $s.ip -and $_.port -eq $s.port -and $_.host -eq $s.host) })
    $after += @{ site = $s.site; ip = $s.ip; port = $s.port; host = $s.host; certificateHash = $s.certificateHash }
  }
  $after
}

function Invoke-Verb_apply($Request) {
  $steps = @($Request.steps)
  $iis = Get-IisState
  $script:Sites = @($iis.sites); $script:Bindings = @($iis.bindings)
  $script:BindingsAfter = Get-BindingsAfter $steps
  foreach ($step in $steps) {
    if (-not (Get-Command "Invoke-Step_$($step.kind)" -ErrorAction SilentlyContinue)) { Stop-Agent 'bad-step' "Unknown step kind '$($step.kind)'." }
    & "Test-Step_$($step.kind)" $Request $step
  }
  $done = @(foreach ($step in $steps) { & "Invoke-Step_$($step.kind)" $Request $step })
  [ordered]@{ done = $done }
}

function ConvertTo-AsciiJson($Value) {
  $json = ConvertTo-Json -InputObject $Value -Depth 8 -Compress
  [regex]::Replace($json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
}

$verb = ''
try {
  # ConvertFrom-Json quotes the input in its errors, and the input may hold the PFX password.
  try { $request = $InputJson | ConvertFrom-Json } catch { Stop-Agent 'bad-input' 'The agent input is not valid JSON.' }
  $verb = [string]$request.verb
  if (-not (Get-Command "Invoke-Verb_$verb" -ErrorAction SilentlyContinue)) { Stop-Agent 'bad-verb' "Unknown verb '$verb'." }
  $result = & "Invoke-Verb_$verb" $request
  $answer = [ordered]@{ ok = $true; verb = $verb; result = $result }
  $code = 0
} catch {
  $errorCode = $_.Exception.Data['chainsmithCode']
  if (-not $errorCode) { $errorCode = 'agent-failed' }
  $answer = [ordered]@{ ok = $false; verb = $verb; error = [ordered]@{ code = [string]$errorCode; message = $_.Exception.Message } }
  $code = 1
}
[Console]::Out.WriteLine('CHAINSMITH-AGENT-RESULT:' + (ConvertTo-AsciiJson $answer))
exit $code
