# chainsmith Windows agent: Windows PowerShell 5.1, run elevated (or as SYSTEM by Azure Run Command).
# JSON in, JSON out. It inventories what the plan needs, applies primitive idempotent steps, and
# asks Windows itself (X509Chain.Build, machine context, serverAuth) which chain it builds. Every
# decision is taken in TypeScript (providers/windows/planner.ts); this script only refuses steps
# that are unsafe on their own. Contract: providers/windows/contract.ts. Lint: test/unit/windows.
# Input: over SSH the bootstrap leaves the request in $ChainsmithInput and the PFX payload in
# $ChainsmithSecret; over Azure Run Command the request is embedded below (base64) and the PFX
# payload rides sealed in it, its AES key in the protected parameter -PayloadKey.
# Secrets reach only .NET calls: never a cmdlet's parameter (Module Logging records those), never
# a script's text (Script Block Logging records that), never the output.
# Output: one line "CHAINSMITH-AGENT-RESULT:" + JSON (or -GZIP: + base64 of gzip when the request
# sets outputLimit); exit code 0 on success, 1 on failure.
param([string]$PayloadKey)
$EmbeddedRequest = ''

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Add-Type -AssemblyName System.Security
Add-Type -AssemblyName System.Web.Extensions
$X509 = 'System.Security.Cryptography.X509Certificates'
$IisAppId = '{4dc3e181-e14b-4a21-b022-59fc669b0914}'
$AutoUpdatePolicyKey = 'HKLM:\SOFTWARE\Policies\Microsoft\SystemCertificates\AuthRoot'
$HttpParameters = 'SYSTEM\CurrentControlSet\Services\HTTP\Parameters'
$KeyStores = @('My', 'WebHosting')
# Physical stores read from the registry, where CryptoAPI keeps them (hive, path of the store).
$PhysicalStores = [ordered]@{
  'CA'                     = @('LocalMachine', 'SOFTWARE\Microsoft\SystemCertificates\CA')
  'Root'                   = @('LocalMachine', 'SOFTWARE\Microsoft\SystemCertificates\ROOT')
  'AuthRoot'               = @('LocalMachine', 'SOFTWARE\Microsoft\SystemCertificates\AuthRoot')
  'Disallowed'             = @('LocalMachine', 'SOFTWARE\Microsoft\SystemCertificates\Disallowed')
  'CA:GroupPolicy'         = @('LocalMachine', 'SOFTWARE\Policies\Microsoft\SystemCertificates\CA')
  'Root:GroupPolicy'       = @('LocalMachine', 'SOFTWARE\Policies\Microsoft\SystemCertificates\Root')
  'Disallowed:GroupPolicy' = @('LocalMachine', 'SOFTWARE\Policies\Microsoft\SystemCertificates\Disallowed')
  'CA:Enterprise'          = @('LocalMachine', 'SOFTWARE\Microsoft\EnterpriseCertificates\CA')
  'Root:Enterprise'        = @('LocalMachine', 'SOFTWARE\Microsoft\EnterpriseCertificates\Root')
  'SYSTEM:CA'              = @('Users', 'S-1-5-18\Software\Microsoft\SystemCertificates\CA')
  'SYSTEM:Root'            = @('Users', 'S-1-5-18\Software\Microsoft\SystemCertificates\Root')
}
$WritableStores = @('CA', 'Root', 'AuthRoot', 'Disallowed', 'SYSTEM:CA', 'SYSTEM:Root', 'My', 'WebHosting')

function Stop-Agent([string]$Code, [string]$Message) {
  $e = New-Object System.Exception $Message
  $e.Data['chainsmithCode'] = $Code
  throw $e
}

function ConvertTo-Hex([byte[]]$Bytes) { [BitConverter]::ToString($Bytes).Replace('-', '').ToLower() }

function Get-Sha256Hex([byte[]]$Bytes) {
  $sha = [System.Security.Cryptography.SHA256CryptoServiceProvider]::new()
  try { ConvertTo-Hex $sha.ComputeHash($Bytes) } finally { $sha.Dispose() }
}

function Get-ShortHash([byte[]]$Bytes) { (Get-Sha256Hex $Bytes).Substring(0, 32) }

function ConvertFrom-AgentJson([string]$Text) {
  $serializer = [System.Web.Script.Serialization.JavaScriptSerializer]::new()
  $serializer.MaxJsonLength = [int]::MaxValue
  $serializer.DeserializeObject($Text)
}

# keyIdentifier [0] of AuthorityKeyIdentifier, read from the extension's DER.
function Get-AuthorityKeyId($Cert) {
  foreach ($ext in $Cert.Extensions) {
    if ($ext.Oid.Value -ne '2.5.29.35') { continue }
    $raw = $ext.RawData
    $i = 2
    if ($raw[1] -band 0x80) { $i = 2 + ($raw[1] -band 0x7f) }
    if ($raw[$i] -ne 0x80) { return '' }
    return ConvertTo-Hex $raw[($i + 2)..($i + 1 + $raw[$i + 1])]
  }
  ''
}

function Get-SubjectKeyId($Cert) {
  foreach ($ext in $Cert.Extensions) {
    if ($ext.Oid.Value -eq '2.5.29.14') { return ([System.Security.Cryptography.X509Certificates.X509SubjectKeyIdentifierExtension]$ext).SubjectKeyIdentifier.ToLower() }
  }
  ''
}

function Initialize-NativeMethods {
  if ('Chainsmith.NativeMethods' -as [type]) { return }
  Add-Type -Namespace Chainsmith -Name NativeMethods -MemberDefinition '[DllImport("crypt32.dll", SetLastError = true)] public static extern bool CryptVerifyCertificateSignatureEx(IntPtr hCryptProv, uint dwCertEncodingType, uint dwSubjectType, IntPtr pvSubject, uint dwIssuerType, IntPtr pvIssuer, uint dwFlags, IntPtr pvExtra);' | Out-Null
}

# Issuer == Subject AND the signature verifies with its own key, checked directly: building a chain
# here would start automatic root update (a download; about 15 s per URL when offline).
function Test-SelfSigned($Cert) {
  if ([Convert]::ToBase64String($Cert.SubjectName.RawData) -ne [Convert]::ToBase64String($Cert.IssuerName.RawData)) { return $false }
  Initialize-NativeMethods
  # X509_ASN_ENCODING, CRYPT_VERIFY_CERT_SIGN_SUBJECT_CERT, CRYPT_VERIFY_CERT_SIGN_ISSUER_CERT
  [Chainsmith.NativeMethods]::CryptVerifyCertificateSignatureEx([IntPtr]::Zero, 1, 2, $Cert.Handle, 2, $Cert.Handle, 0, [IntPtr]::Zero)
}

# The private key is linked and opens (a PFX imported beside an existing copy can leave it orphaned).
function Test-KeyUsable($Cert) {
  if (-not $Cert -or -not $Cert.HasPrivateKey) { return $false }
  try {
    if ('System.Security.Cryptography.X509Certificates.RSACertificateExtensions' -as [type]) {
      if ($Cert.PublicKey.Oid.Value -eq '1.2.840.10045.2.1') { $key = [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPrivateKey($Cert) }
      else { $key = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Cert) }
    } else { $key = $Cert.PrivateKey }
    return $null -ne $key
  } catch { return $false }
}

# A CA certificate or a self-signed root can be an issuer or an anchor: only those carry their DER.
function Test-CanIssue($Cert, [bool]$SelfSigned) {
  if ($SelfSigned) { return $true }
  foreach ($ext in $Cert.Extensions) { if ($ext.Oid.Value -eq '2.5.29.19') { return ([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]$ext).CertificateAuthority } }
  $false
}

function New-CertificateFacts($Cert) {
  $selfSigned = [bool](Test-SelfSigned $Cert)
  $der = ''; if (Test-CanIssue $Cert $selfSigned) { $der = [Convert]::ToBase64String($Cert.RawData) }
  [ordered]@{
    thumbprint     = $Cert.Thumbprint.ToUpper()
    sha256         = Get-Sha256Hex $Cert.RawData
    subject        = $Cert.Subject
    subjectName    = Get-ShortHash $Cert.SubjectName.RawData
    issuerName     = Get-ShortHash $Cert.IssuerName.RawData
    keyHash        = Get-ShortHash $Cert.GetPublicKey()
    subjectKeyId   = Get-SubjectKeyId $Cert
    authorityKeyId = Get-AuthorityKeyId $Cert
    selfSigned     = $selfSigned
    derBase64      = $der
  }
}

function New-PlacementFacts([string]$Store, $Cert) {
  [ordered]@{ store = $Store; thumbprint = $Cert.Thumbprint.ToUpper(); hasPrivateKey = [bool](($KeyStores -contains $Store) -and (Test-KeyUsable $Cert)) }
}

function Open-LocalStore([string]$Name, [string]$Mode) {
  $store = [System.Security.Cryptography.X509Certificates.X509Store]::new($Name, 'LocalMachine')
  try { $store.Open("$Mode, OpenExistingOnly") } catch {
    if ($Mode -eq 'ReadOnly') { return $null }
    $store.Open($Mode)
  }
  $store
}

function Open-StoreKey([string]$Store, [bool]$Writable) {
  $where = $PhysicalStores[$Store]
  [Microsoft.Win32.Registry]::($where[0]).OpenSubKey("$($where[1])\Certificates", $Writable)
}

# A registry store's certificate blob: (property id, reserved, length, data)*; property 32 is the DER.
function ConvertFrom-StoreBlob([byte[]]$Blob) {
  $i = 0
  while ($i + 12 -le $Blob.Length) {
    $id = [BitConverter]::ToUInt32($Blob, $i); $len = [BitConverter]::ToUInt32($Blob, $i + 8)
    if ($id -eq 32) {
      $der = [byte[]]::new($len)
      [Array]::Copy($Blob, $i + 12, $der, 0, $len)
      return [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($der)
    }
    $i += 12 + $len
  }
  $null
}

function Get-StoreCertificates([string]$Store) {
  if ($KeyStores -contains $Store) {
    $s = Open-LocalStore $Store 'ReadOnly'
    if (-not $s) { return @() }
    try { return @($s.Certificates) } finally { $s.Close() }
  }
  $key = Open-StoreKey $Store $false
  if (-not $key) { return @() }
  try {
    @(foreach ($name in $key.GetSubKeyNames()) {
        $item = $key.OpenSubKey($name)
        try { $c = ConvertFrom-StoreBlob $item.GetValue('Blob'); if ($c) { $c } } finally { $item.Close() }
      })
  } finally { $key.Close() }
}

function Find-Certificate([string]$Store, [string]$Thumbprint) {
  foreach ($c in Get-StoreCertificates $Store) { if ($c.Thumbprint -eq $Thumbprint) { return $c } }
  $null
}

function Find-LeafCertificate([string]$Thumbprint) {
  foreach ($store in $KeyStores) {
    $c = Find-Certificate $store $Thumbprint
    if ($c) { return $c }
  }
  Stop-Agent 'certificate-not-found' "No certificate $Thumbprint in LocalMachine\My or LocalMachine\WebHosting."
}

# http.sys's SSL entries, from the registry where http.sys keeps them (netsh's words are localized).
function Get-HttpSysEntries {
  $kinds = [ordered]@{ ipport = 'SslBindingInfo'; hostnameport = 'SslSniBindingInfo'; ccs = 'SslCcsBindingInfo' }
  foreach ($kind in $kinds.Keys) {
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey("$HttpParameters\$($kinds[$kind])")
    if (-not $key) { continue }
    try {
      foreach ($name in $key.GetSubKeyNames()) {
        $entry = $key.OpenSubKey($name)
        try {
          $hash = $entry.GetValue('SslCertHash'); $app = $entry.GetValue('AppId')
          $hashHex = ''; if ($hash) { $hashHex = (ConvertTo-Hex $hash).ToUpper() }
          $appId = ''; if ($app) { $appId = [guid]::new([byte[]]$app).ToString('B') }
          [ordered]@{ kind = $kind; endpoint = $name.ToLower(); certificateHash = $hashHex; appId = $appId; certificateStore = [string]$entry.GetValue('SslCertStoreName') }
        } finally { $entry.Close() }
      }
    } finally { $key.Close() }
  }
}

function Get-HttpSysEndpoint($Binding) {
  if ([int]$Binding.sslFlags -band 1) { return @{ kind = 'hostnameport'; endpoint = "$($Binding.host):$($Binding.port)" } }
  $ip = $Binding.ip; if ($ip -eq '*') { $ip = '0.0.0.0' }
  @{ kind = 'ipport'; endpoint = "$($ip):$($Binding.port)" }
}

function Get-HttpSysEntry($Endpoint) {
  foreach ($e in Get-HttpSysEntries) { if ($e.kind -eq $Endpoint.kind -and $e.endpoint -eq $Endpoint.endpoint) { return $e } }
  $null
}

function Open-ServerManager {
  [void][Reflection.Assembly]::LoadFrom("$env:windir\System32\inetsrv\Microsoft.Web.Administration.dll")
  [Microsoft.Web.Administration.ServerManager]::new()
}

function Get-BindingInformation($Binding) { "$($Binding.ip):$($Binding.port):$($Binding.host)" }

# The https binding whose bindingInformation is exactly this one: never a wildcard filter.
function Find-ExactBinding($Site, [string]$Information) {
  $found = @(foreach ($b in $Site.Bindings) { if ($b.Protocol -eq 'https' -and $b.BindingInformation -eq $Information) { $b } })
  if ($found.Count -gt 1) { Stop-Agent 'binding-ambiguous' "Site '$($Site.Name)' has $($found.Count) https bindings $Information. Remove the duplicates in IIS Manager." }
  if ($found.Count -eq 1) { return $found[0] }
  $null
}

function New-BindingFacts([string]$SiteName, $Binding, $Entries) {
  if ($Binding.BindingInformation -notmatch '^(\*|\[[0-9A-Fa-f:.]+\]|[0-9.]+):(\d+):(.*)$') { return $null }
  $facts = [ordered]@{ site = $SiteName; ip = $Matches[1]; port = [int]$Matches[2]; host = $Matches[3].ToLower(); sslFlags = [int]$Binding['sslFlags']; certificateHash = ''; certificateStore = '' }
  $endpoint = Get-HttpSysEndpoint $facts
  foreach ($e in $Entries) {
    if (($facts.sslFlags -band 2) -eq 0 -and $e.kind -eq $endpoint.kind -and $e.endpoint -eq $endpoint.endpoint) { $facts.certificateHash = $e.certificateHash; $facts.certificateStore = $e.certificateStore }
  }
  $facts
}

function Get-IisState {
  $manager = Open-ServerManager
  $entries = @(Get-HttpSysEntries)
  $sites = @(); $bindings = @()
  foreach ($site in $manager.Sites) {
    $sites += $site.Name
    foreach ($b in $site.Bindings) {
      if ($b.Protocol -ne 'https') { continue }
      $f = New-BindingFacts $site.Name $b $entries
      if ($f) { $bindings += $f }
    }
  }
  @{ sites = $sites; bindings = $bindings; entries = $entries }
}

# Who else uses these certificates: http.sys entries that are no IIS binding's, and the RDP listener.
function Get-CertificateUsers($Thumbprints, $Iis) {
  $iisEndpoints = @(foreach ($b in $Iis.bindings) { $e = Get-HttpSysEndpoint $b; "$($e.kind)=$($e.endpoint)" })
  foreach ($e in $Iis.entries) {
    if ($Thumbprints -contains $e.certificateHash -and $iisEndpoints -notcontains "$($e.kind)=$($e.endpoint)") {
      [ordered]@{ thumbprint = $e.certificateHash; user = "http.sys $($e.kind)=$($e.endpoint) (application $($e.appId))" }
    }
  }
  try {
    $rdp = Get-CimInstance -Namespace 'root/cimv2/TerminalServices' -ClassName Win32_TSGeneralSetting -ErrorAction Stop
    foreach ($r in @($rdp)) {
      $hash = ([string]$r.SSLCertificateSHA1Hash).ToUpper()
      if ($Thumbprints -contains $hash) { [ordered]@{ thumbprint = $hash; user = "Remote Desktop ($($r.TerminalName))" } }
    }
  } catch { }
}

function Test-RootAutoUpdateDisabled {
  $p = Get-ItemProperty -Path $AutoUpdatePolicyKey -Name DisableRootAutoUpdate -ErrorAction SilentlyContinue
  [bool]($p -and $p.DisableRootAutoUpdate -eq 1)
}

# Every certificate that can take part in the focus's chain: asked by thumbprint, or reached by
# subject name or key identifier from the names and key ids found so far (no chain is built).
function Invoke-Verb_inventory($Request) {
  $focus = $Request.focus
  $iis = Get-IisState
  $wanted = [ordered]@{ site = [string]$focus.binding.site; info = (Get-BindingInformation $focus.binding) }
  $names = [System.Collections.Generic.HashSet[string]]::new([string[]]@($focus.names))
  $keyIds = [System.Collections.Generic.HashSet[string]]::new([string[]]@($focus.keyIds))
  $thumbs = [System.Collections.Generic.HashSet[string]]::new([string[]]@($focus.thumbprints))
  foreach ($b in $iis.bindings) { if ($b.site -eq $wanted.site -and (Get-BindingInformation $b) -eq $wanted.info -and $b.certificateHash) { [void]$thumbs.Add($b.certificateHash) } }
  $placed = @(foreach ($store in @($KeyStores) + @($PhysicalStores.Keys)) { foreach ($c in Get-StoreCertificates $store) { @{ store = $store; cert = $c } } })
  $chosen = [ordered]@{}
  do {
    $grew = $false
    foreach ($p in $placed) {
      $c = $p.cert
      if ($chosen.Contains($c.Thumbprint)) { continue }
      $ski = Get-SubjectKeyId $c
      if (-not ($thumbs.Contains($c.Thumbprint) -or $names.Contains((Get-ShortHash $c.SubjectName.RawData)) -or ($ski -and $keyIds.Contains($ski)))) { continue }
      $chosen[$c.Thumbprint] = $c
      [void]$names.Add((Get-ShortHash $c.IssuerName.RawData))
      $aki = Get-AuthorityKeyId $c
      if ($aki) { [void]$keyIds.Add($aki) }
      $grew = $true
    }
  } while ($grew)
  $known = @($focus.known)
  $thumbprints = @($chosen.Keys)
  $bindings = @(foreach ($b in $iis.bindings) { if ((Get-BindingInformation $b) -eq $wanted.info -or $thumbprints -contains $b.certificateHash) { $b } })
  [ordered]@{
    computerName           = $env:COMPUTERNAME
    placements             = @(foreach ($p in $placed) { if ($chosen.Contains($p.cert.Thumbprint)) { New-PlacementFacts $p.store $p.cert } })
    certificates           = @(foreach ($t in $thumbprints) { if ($known -notcontains $t) { New-CertificateFacts $chosen[$t] } })
    sites                  = @($iis.sites)
    bindings               = $bindings
    certificateUsers       = @(Get-CertificateUsers $thumbprints $iis)
    rootAutoUpdateDisabled = Test-RootAutoUpdateDisabled
    omittedDer             = @()
  }
}

function New-ServerAuthChain {
  $chain = [System.Security.Cryptography.X509Certificates.X509Chain]::new($true)
  $chain.ChainPolicy.RevocationMode = 'NoCheck'
  [void]$chain.ChainPolicy.ApplicationPolicy.Add([System.Security.Cryptography.Oid]::new('1.3.6.1.5.5.7.3.1'))
  $chain
}

function Invoke-Verb_chain($Request) {
  $cert = Find-LeafCertificate ([string]$Request.thumbprint)
  $chain = New-ServerAuthChain
  [void]$chain.Build($cert)
  [ordered]@{
    thumbprint = $cert.Thumbprint.ToUpper()
    elements   = @(foreach ($e in $chain.ChainElements) { [ordered]@{ thumbprint = $e.Certificate.Thumbprint.ToUpper(); sha256 = Get-Sha256Hex $e.Certificate.RawData; subject = $e.Certificate.Subject } })
    status     = @(foreach ($s in $chain.ChainStatus) { $s.Status.ToString() })
  }
}

function ConvertFrom-Der([string]$Base64, [string]$Thumbprint) {
  $c = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new([Convert]::FromBase64String($Base64))
  if ($c.Thumbprint -ne $Thumbprint) { Stop-Agent 'thumbprint-mismatch' "The certificate sent as $Thumbprint has thumbprint $($c.Thumbprint)." }
  $c
}

function Assert-Distrustable($Cert) {
  if (-not (Test-SelfSigned $Cert)) {
    Stop-Agent 'refused-not-self-signed' "Refused to distrust $($Cert.Subject) [$($Cert.Thumbprint)]: it is not self-signed. Only a self-signed root may go to Disallowed; a cross-signed certificate with the same subject must stay usable."
  }
}

function Assert-Writable([string]$Store) {
  if ($WritableStores -notcontains $Store) { Stop-Agent 'bad-step' "$Store is managed by policy or unknown: chainsmith does not write it." }
}

# The PFX payload, read with .NET calls only: no secret is ever an argument of a command (a cmdlet's or
# even a script function's parameters may be logged), only of .NET methods.
function Get-PfxPayload($Request) {
  $serializer = [System.Web.Script.Serialization.JavaScriptSerializer]::new()
  if ($ChainsmithSecret) { $payload = $serializer.DeserializeObject($ChainsmithSecret) }
  elseif ($Request.sealedPfx -and $PayloadKey) {
    try {
      $sealed = [Convert]::FromBase64String([string]$Request.sealedPfx)
      $aes = [System.Security.Cryptography.AesCryptoServiceProvider]::new()
      $aes.Key = [byte[]]@(for ($i = 0; $i -lt 32; $i++) { [Convert]::ToByte($PayloadKey.Substring(2 * $i, 2), 16) })
      $aes.IV = $sealed[0..15]
      $payload = $serializer.DeserializeObject([Text.Encoding]::UTF8.GetString($aes.CreateDecryptor().TransformFinalBlock($sealed, 16, $sealed.Length - 16)))
      $aes.Dispose()
    } catch { Stop-Agent 'pfx-import-failed' 'The sealed PFX could not be opened with the payload key. Nothing was changed.' }
  } else { Stop-Agent 'pfx-missing' 'An importPfx step was sent without a PFX.' }
  @{ bytes = [Convert]::FromBase64String([string]$payload['base64']); password = [string]$payload['password'] }
}

function Open-Pfx($Request, $Step, [string]$Flags) {
  $pfx = Get-PfxPayload $Request
  try { $c = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($pfx.bytes, $pfx.password, $Flags) }
  catch { Stop-Agent 'pfx-import-failed' 'The PFX could not be opened: wrong password or damaged file. Nothing was changed.' }
  if ($c.Thumbprint -ne $Step.thumbprint -or -not $c.HasPrivateKey) {
    Stop-Agent 'pfx-import-failed' "The PFX holds $($c.Thumbprint) (private key: $($c.HasPrivateKey)), expected $($Step.thumbprint) with its key. Nothing was changed."
  }
  $c
}

# Host and ip reach bindingInformation and netsh's arguments: only exact shapes pass (TypeScript checks them first).
function Assert-BindingValues($Step) {
  if ($Step.host -notmatch '^([a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})*)?$' -or $Step.ip -notmatch '^(\*|[0-9]{1,3}(\.[0-9]{1,3}){3}|\[[0-9a-f:.]+\])$' -or [int]$Step.port -lt 1 -or [int]$Step.port -gt 65535) {
    Stop-Agent 'bad-step' "The binding $($Step.ip):$($Step.port):$($Step.host) is not an address, a port and a host name."
  }
  if ($Step.site -match '["\x00-\x1f]') { Stop-Agent 'bad-step' 'The site name holds a quote or a control character.' }
}

# Checks every step against the host before any is applied, so a refused apply changes nothing.
function Test-Step_importCertificate($Request, $Step) { Assert-Writable $Step.store; [void](ConvertFrom-Der $Step.derBase64 $Step.thumbprint) }
function Test-Step_moveToDisallowed($Request, $Step) { Assert-Writable $Step.from; $c = Find-Certificate $Step.from $Step.thumbprint; if ($c) { Assert-Distrustable $c } }
function Test-Step_addToDisallowed($Request, $Step) { Assert-Distrustable (ConvertFrom-Der $Step.derBase64 $Step.thumbprint) }
function Test-Step_distrustStaleTwin($Request, $Step) {
  $stale = ConvertFrom-Der $Step.derBase64 $Step.thumbprint
  $kept = $null
  foreach ($store in @('CA', 'CA:GroupPolicy', 'CA:Enterprise')) { if (-not $kept) { $kept = Find-Certificate $store $Step.keptTwin } }
  $sameName = $kept -and [Convert]::ToBase64String($kept.SubjectName.RawData) -eq [Convert]::ToBase64String($stale.SubjectName.RawData)
  $sameKey = $kept -and [Convert]::ToBase64String($kept.GetPublicKey()) -eq [Convert]::ToBase64String($stale.GetPublicKey())
  if ($Step.thumbprint -eq $Step.keptTwin -or -not $sameKey -or -not ($sameName -or (Get-SubjectKeyId $kept) -eq (Get-SubjectKeyId $stale))) {
    Stop-Agent 'refused-not-stale-twin' "Refused to distrust $($stale.Subject) [$($Step.thumbprint)]: no certificate $($Step.keptTwin) with its name and key stays in CA to take its place."
  }
}
function Test-Step_removeCertificate($Request, $Step) {
  Assert-Writable $Step.store
  if ($KeyStores -notcontains $Step.store) { return }
  $users = @($script:BindingsAfter | Where-Object { $_.certificateHash -eq $Step.thumbprint })
  if ($users.Count -gt 0) { Stop-Agent 'refused-in-use' "Refused to remove $($Step.thumbprint) from $($Step.store): the https binding $($users[0].ip):$($users[0].port):$($users[0].host) of site '$($users[0].site)' still uses it." }
  $others = @(Get-CertificateUsers @($Step.thumbprint) $script:Iis)
  if ($others.Count -gt 0) { Stop-Agent 'refused-in-use' "Refused to remove $($Step.thumbprint) from $($Step.store): $($others[0].user) uses it." }
}
function Test-Step_importPfx($Request, $Step) { $c = Open-Pfx $Request $Step 'MachineKeySet'; [void]$c.Reset() }
function Test-Step_replaceBinding($Request, $Step) {
  Assert-BindingValues $Step
  if ($script:Iis.sites -notcontains $Step.site) { Stop-Agent 'site-missing' "IIS site '$($Step.site)' does not exist. Sites: $($script:Iis.sites -join ', ')." }
  $info = Get-BindingInformation $Step
  $other = @($script:Iis.bindings | Where-Object { $_.site -ne $Step.site -and (Get-BindingInformation $_) -eq $info })
  if ($other.Count -gt 0) { Stop-Agent 'binding-conflict' "$info is already bound by site '$($other[0].site)' to certificate $($other[0].certificateHash)." }
  if (([int]$Step.sslFlags -band 2) -eq 0 -and $script:PfxImports -notcontains $Step.certificateHash -and -not (Test-KeyUsable (Find-Certificate $Step.certificateStore $Step.certificateHash))) {
    Stop-Agent 'certificate-key-unusable' "Refused to bind $($Step.certificateHash): it is not in LocalMachine\$($Step.certificateStore) with a private key that opens. The binding was left as it was."
  }
}
function Test-Step_flushChainCaches($Request, $Step) {}
function Test-Step_iisreset($Request, $Step) {}
function Test-Step_restartHttpService($Request, $Step) {}
function Test-Step_disableRootAutoUpdate($Request, $Step) {}

function Remove-FromStore([string]$Store, [string]$Thumbprint) {
  if ($KeyStores -contains $Store) {
    $s = Open-LocalStore $Store 'ReadWrite'
    try {
      $found = @($s.Certificates | Where-Object { $_.Thumbprint -eq $Thumbprint })
      foreach ($c in $found) { [void]$s.Remove($c) }
      return $found.Count -gt 0
    } finally { [void]$s.Close() }
  }
  # Only this physical store: a logical store's Remove could reach another one.
  $key = Open-StoreKey $Store $true
  if (-not $key) { return $false }
  try {
    if ($key.GetSubKeyNames() -notcontains $Thumbprint) { return $false }
    [void]$key.DeleteSubKeyTree($Thumbprint)
    $true
  } finally { [void]$key.Close() }
}

# X509Store.Add replaces a certificate already there and links the new copy's key.
function Add-ToStore([string]$Store, $Cert) {
  $s = Open-LocalStore $Store 'ReadWrite'
  try { [void]$s.Add($Cert) } finally { [void]$s.Close() }
}

function Invoke-Native([string]$Program, [string[]]$Arguments) {
  $out = & $Program @Arguments | Out-String
  if ($LASTEXITCODE -ne 0) { Stop-Agent 'command-failed' "$Program $($Arguments -join ' ') failed ($LASTEXITCODE): $($out.Trim())" }
}

function Invoke-Step_importCertificate($Request, $Step) {
  if (Find-Certificate $Step.store $Step.thumbprint) { return "$($Step.thumbprint) already in $($Step.store)" }
  Add-ToStore $Step.store (ConvertFrom-Der $Step.derBase64 $Step.thumbprint)
  "imported $($Step.thumbprint) into $($Step.store)"
}
function Invoke-Step_moveToDisallowed($Request, $Step) {
  $c = Find-Certificate $Step.from $Step.thumbprint
  if (-not $c) { return "$($Step.thumbprint) not in $($Step.from)" }
  if (-not (Find-Certificate 'Disallowed' $Step.thumbprint)) { Add-ToStore 'Disallowed' $c }
  [void](Remove-FromStore $Step.from $Step.thumbprint)
  "moved $($Step.thumbprint) from $($Step.from) to Disallowed"
}
function Invoke-Step_addToDisallowed($Request, $Step) {
  if (Find-Certificate 'Disallowed' $Step.thumbprint) { return "$($Step.thumbprint) already in Disallowed" }
  Add-ToStore 'Disallowed' (ConvertFrom-Der $Step.derBase64 $Step.thumbprint)
  "added $($Step.thumbprint) to Disallowed"
}
function Invoke-Step_distrustStaleTwin($Request, $Step) {
  if (Find-Certificate 'Disallowed' $Step.thumbprint) { return "$($Step.thumbprint) already in Disallowed" }
  Add-ToStore 'Disallowed' (ConvertFrom-Der $Step.derBase64 $Step.thumbprint)
  "distrusted the stale $($Step.thumbprint) (its twin $($Step.keptTwin) stays in CA)"
}
function Invoke-Step_removeCertificate($Request, $Step) {
  if (Remove-FromStore $Step.store $Step.thumbprint) { "removed $($Step.thumbprint) from $($Step.store)" } else { "$($Step.thumbprint) not in $($Step.store)" }
}
function Invoke-Step_importPfx($Request, $Step) {
  $flags = 'MachineKeySet, PersistKeySet'
  if ($Step.exportable) { $flags += ', Exportable' }
  Add-ToStore $Step.store (Open-Pfx $Request $Step $flags)
  if (-not (Test-KeyUsable (Find-Certificate $Step.store $Step.thumbprint))) { Stop-Agent 'pfx-key-unusable' "The PFX of $($Step.thumbprint) was imported into $($Step.store), but its private key does not open." }
  "imported the PFX of $($Step.thumbprint) into $($Step.store) (key exportable: $([bool]$Step.exportable))"
}
# The http.sys entry is updated in place (its other settings kept); on any failure the previous
# certificate, flags and binding are put back before the error is raised.
function Invoke-Step_replaceBinding($Request, $Step) {
  $info = Get-BindingInformation $Step
  $ccs = ([int]$Step.sslFlags -band 2) -ne 0
  if (-not $ccs -and -not (Test-KeyUsable (Find-Certificate $Step.certificateStore $Step.certificateHash))) { Stop-Agent 'certificate-key-unusable' "Refused to bind $($Step.certificateHash): its private key does not open. The binding was left as it was." }
  $manager = Open-ServerManager
  $site = $manager.Sites[$Step.site]
  $binding = Find-ExactBinding $site $info
  $added = -not $binding; $oldFlags = $null
  if ($added) {
    $binding = $site.Bindings.CreateElement('binding')
    $binding['protocol'] = 'https'; $binding['bindingInformation'] = $info; $binding['sslFlags'] = [int]$Step.sslFlags
    [void]$site.Bindings.Add($binding)
  } elseif ([int]$binding['sslFlags'] -ne [int]$Step.sslFlags) { $oldFlags = [int]$binding['sslFlags']; $binding['sslFlags'] = [int]$Step.sslFlags }
  if ($added -or $null -ne $oldFlags) { [void]$manager.CommitChanges() }
  if ($ccs) { return "bound $info of '$($Step.site)' to the Central Certificate Store (sslFlags $($Step.sslFlags))" }
  $endpoint = Get-HttpSysEndpoint $Step
  $target = "$($endpoint.kind)=$($endpoint.endpoint)"
  $previous = Get-HttpSysEntry $endpoint
  try {
    if ($previous) { Invoke-Native 'netsh.exe' @('http', 'update', 'sslcert', $target, "certhash=$($Step.certificateHash)", "appid=$($previous.appId)", "certstorename=$($Step.certificateStore)") }
    else { Invoke-Native 'netsh.exe' @('http', 'add', 'sslcert', $target, "certhash=$($Step.certificateHash)", "appid=$IisAppId", "certstorename=$($Step.certificateStore)") }
    $now = Get-HttpSysEntry $endpoint
    if (-not $now -or $now.certificateHash -ne $Step.certificateHash) { Stop-Agent 'binding-not-updated' "http.sys $target does not hold $($Step.certificateHash) after netsh." }
  } catch {
    $failure = $_.Exception
    if ($previous) { Invoke-Native 'netsh.exe' @('http', 'update', 'sslcert', $target, "certhash=$($previous.certificateHash)", "appid=$($previous.appId)", "certstorename=$($previous.certificateStore)") }
    elseif (Get-HttpSysEntry $endpoint) { Invoke-Native 'netsh.exe' @('http', 'delete', 'sslcert', $target) }
    if ($added) { [void]$site.Bindings.Remove($binding) } elseif ($null -ne $oldFlags) { $binding['sslFlags'] = $oldFlags }
    if ($added -or $null -ne $oldFlags) { [void]$manager.CommitChanges() }
    Stop-Agent ([string]$failure.Data['chainsmithCode']) "$($failure.Message) The previous binding of $info was restored."
  }
  "bound $info of '$($Step.site)' to $($Step.certificateHash) in $($Step.certificateStore) (sslFlags $($Step.sslFlags))"
}
# Schannel runs as SYSTEM: its URL cache is SYSTEM's, flushed by SYSTEM itself (a one-shot task when this runs as another account).
function Invoke-Step_flushChainCaches($Request, $Step) {
  Invoke-Native 'certutil.exe' @('-setreg', 'chain\ChainCacheResyncFiletime', '@now')
  if ([System.Security.Principal.WindowsIdentity]::GetCurrent().IsSystem) {
    Invoke-Native 'certutil.exe' @('-urlcache', '*', 'delete')
    return 'flushed the machine chain cache and the SYSTEM account''s URL cache'
  }
  $name = 'chainsmith-flush-' + [guid]::NewGuid().ToString('N')
  $action = New-ScheduledTaskAction -Execute 'certutil.exe' -Argument '-urlcache * delete'
  $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
  Register-ScheduledTask -TaskName $name -Action $action -Principal $principal -Force | Out-Null
  try {
    $started = [DateTime]::Now.AddSeconds(-1)
    Start-ScheduledTask -TaskName $name | Out-Null
    $deadline = [DateTime]::UtcNow.AddSeconds(120)
    do { Start-Sleep -Milliseconds 250 | Out-Null; $info = Get-ScheduledTaskInfo -TaskName $name } while (($info.LastRunTime -lt $started -or (Get-ScheduledTask -TaskName $name).State -eq 'Running') -and [DateTime]::UtcNow -lt $deadline)
    if ($info.LastRunTime -lt $started -or $info.LastTaskResult -ne 0) { Stop-Agent 'flush-failed' "The SYSTEM task that flushes the URL cache did not finish (result $($info.LastTaskResult))." }
  } finally { Unregister-ScheduledTask -TaskName $name -Confirm:$false | Out-Null }
  'flushed the machine chain cache and the SYSTEM account''s URL cache (through a one-shot task as SYSTEM)'
}
function Invoke-Step_iisreset($Request, $Step) {
  Invoke-Native 'iisreset.exe' @('/noforce')
  'restarted IIS (every site; http.sys and its credential cache keep running)'
}
function Invoke-Step_restartHttpService($Request, $Step) {
  $running = @(Get-Service | Where-Object { $_.Status -eq 'Running' -and @($_.ServicesDependedOn | ForEach-Object { $_.Name }) -contains 'HTTP' })
  Invoke-Native 'net.exe' @('stop', 'http', '/y')
  foreach ($service in $running) { Start-Service -Name $service.Name | Out-Null }
  "restarted the HTTP service and $($running.Count) services that use it ($(@($running | ForEach-Object { $_.Name }) -join ', '))"
}
function Invoke-Step_disableRootAutoUpdate($Request, $Step) {
  if (-not (Test-Path $AutoUpdatePolicyKey)) { New-Item -Path $AutoUpdatePolicyKey -Force | Out-Null }
  Set-ItemProperty -Path $AutoUpdatePolicyKey -Name DisableRootAutoUpdate -Value 1 -Type DWord | Out-Null
  'set DisableRootAutoUpdate=1 (this host no longer receives new roots automatically)'
}

# The bindings as they will be once the apply's replaceBinding steps are done.
function Get-BindingsAfter($Steps) {
  $after = @($script:Iis.bindings)
  foreach ($s in @($Steps | Where-Object { $_.kind -eq 'replaceBinding' })) {
    $after = @($after | Where-Object { -not ($_.site -eq $s.site -and (Get-BindingInformation $_) -eq (Get-BindingInformation $s)) })
    $after += @{ site = $s.site; ip = $s.ip; port = $s.port; host = $s.host; certificateHash = $s.certificateHash }
  }
  $after
}

function Invoke-Verb_apply($Request) {
  $steps = @($Request.steps)
  $script:Iis = Get-IisState
  $script:BindingsAfter = Get-BindingsAfter $steps
  $script:PfxImports = @(foreach ($s in $steps) { if ($s.kind -eq 'importPfx') { $s.thumbprint } })
  foreach ($step in $steps) {
    if (-not (Get-Command "Invoke-Step_$($step.kind)" -ErrorAction SilentlyContinue)) { Stop-Agent 'bad-step' "Unknown step kind '$($step.kind)'." }
    & "Test-Step_$($step.kind)" $Request $step
  }
  $script:Done = [System.Collections.Generic.List[string]]::new()
  foreach ($step in $steps) { $script:Done.Add([string](& "Invoke-Step_$($step.kind)" $Request $step)) }
  [ordered]@{ done = @($script:Done) }
}

function ConvertTo-AsciiJson($Value) {
  $json = ConvertTo-Json -InputObject $Value -Depth 8 -Compress
  [regex]::Replace($json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
}

function Compress-Text([string]$Text) {
  $bytes = [Text.Encoding]::UTF8.GetBytes($Text)
  $buffer = [IO.MemoryStream]::new()
  $gzip = [IO.Compression.GZipStream]::new($buffer, [IO.Compression.CompressionMode]::Compress)
  $gzip.Write($bytes, 0, $bytes.Length); $gzip.Close()
  [Convert]::ToBase64String($buffer.ToArray())
}

# The result line, within the limit: gzip, then the largest DERs left out (listed), else a short error.
function Format-Answer($Answer, [int]$Limit) {
  $line = 'CHAINSMITH-AGENT-RESULT:' + (ConvertTo-AsciiJson $Answer)
  if ($Limit -le 0 -or $line.Length + 2 -le $Limit) { return $line }
  $certs = @(); if ($Answer.ok -and $Answer.verb -eq 'inventory') { $certs = @($Answer.result.certificates | Sort-Object -Property @{ Expression = { $_.derBase64.Length }; Descending = $true }, @{ Expression = { $_.thumbprint } }) }
  for ($i = 0; $i -le $certs.Count; $i++) {
    $line = 'CHAINSMITH-AGENT-RESULT-GZIP:' + (Compress-Text (ConvertTo-AsciiJson $Answer))
    if ($line.Length + 2 -le $Limit) { return $line }
    if ($i -lt $certs.Count) { $certs[$i].derBase64 = ''; $Answer.result.omittedDer = @($Answer.result.omittedDer) + $certs[$i].thumbprint }
  }
  'CHAINSMITH-AGENT-RESULT:' + (ConvertTo-AsciiJson ([ordered]@{ ok = $false; verb = $Answer.verb; error = [ordered]@{ code = 'answer-too-large'; message = "The answer does not fit in $Limit bytes even without certificates' DER. Run the agent over SSH, or clean the stores of this host." } }))
}

$verb = ''; $limit = 0
try {
  $text = $ChainsmithInput
  if ($EmbeddedRequest) { $text = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($EmbeddedRequest)) }
  # ConvertFrom-Json is a cmdlet (logged) and quotes its input in errors: a .NET reader instead.
  try { $request = ConvertFrom-AgentJson $text } catch { Stop-Agent 'bad-input' 'The agent input is not valid JSON.' }
  if ($request -isnot [System.Collections.IDictionary]) { Stop-Agent 'bad-input' 'The agent input is not a JSON object.' }
  $verb = [string]$request['verb']
  if ($request['outputLimit']) { $limit = [int]$request['outputLimit'] }
  if (-not (Get-Command "Invoke-Verb_$verb" -ErrorAction SilentlyContinue)) { Stop-Agent 'bad-verb' "Unknown verb '$verb'." }
  $result = & "Invoke-Verb_$verb" $request
  $answer = [ordered]@{ ok = $true; verb = $verb; result = $result }
  $code = 0
} catch {
  $errorCode = $_.Exception.Data['chainsmithCode']
  if (-not $errorCode) { $errorCode = 'agent-failed' }
  $answer = [ordered]@{ ok = $false; verb = $verb; error = [ordered]@{ code = [string]$errorCode; message = $_.Exception.Message } }
  if ($script:Done) { $answer.done = @($script:Done) }
  $code = 1
}
[Console]::Out.WriteLine((Format-Answer $answer $limit))
exit $code
