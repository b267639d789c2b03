// The collector: a PowerShell script `winports audit --collector` prints, run on a Windows host to
// write its firewall's effective rules (the ActiveStore: local, GPO and other stores as enforced)
// and each profile's state as JSON that windows_json.cpp reads. Enum values are written with
// [string], which gives their names whatever the display language, so the JSON is the same on a
// Japanese and an English Windows. It only reads.
#include "winports/audit/ruleset.hpp"

namespace winports::audit {

std::string_view windows_collector_script() {
  return R"PS(# winports audit collector: this computer's Windows Firewall as JSON, for
#   winports audit SITE.yaml THIS.json --host NAME [--profile domain|private|public]
# It reads the effective rules (-PolicyStore ActiveStore) and each profile's state; it changes nothing.
# Run as an administrator:  powershell -NoProfile -ExecutionPolicy Bypass -File collect.ps1 -Path host.json
[CmdletBinding()]
param([Parameter(Mandatory = $true)][string]$Path)
$ErrorActionPreference = 'Stop'

function ConvertTo-Strings($values) {
  # Filters give one value, an array, or nothing: always an array of strings.
  @($values | Where-Object { $null -ne $_ } | ForEach-Object { [string]$_ })
}

$profiles = foreach ($p in Get-NetFirewallProfile -PolicyStore ActiveStore) {
  [ordered]@{
    name                   = [string]$p.Name
    enabled                = [string]$p.Enabled
    default_inbound_action = [string]$p.DefaultInboundAction
    allow_local_rules      = [string]$p.AllowLocalFirewallRules
  }
}

$rules = foreach ($r in Get-NetFirewallRule -PolicyStore ActiveStore) {
  $port = $r | Get-NetFirewallPortFilter
  $address = $r | Get-NetFirewallAddressFilter
  $application = $r | Get-NetFirewallApplicationFilter
  $service = $r | Get-NetFirewallServiceFilter
  $security = $r | Get-NetFirewallSecurityFilter
  [ordered]@{
    id               = [string]$r.Name
    name             = [string]$r.DisplayName
    enabled          = [string]$r.Enabled
    direction        = [string]$r.Direction
    action           = [string]$r.Action
    profile          = [string]$r.Profile
    protocol         = [string]$port.Protocol
    local_ports      = ConvertTo-Strings $port.LocalPort
    remote_ports     = ConvertTo-Strings $port.RemotePort
    icmp_types       = ConvertTo-Strings $port.IcmpType
    local_addresses  = ConvertTo-Strings $address.LocalAddress
    remote_addresses = ConvertTo-Strings $address.RemoteAddress
    program          = [string]$application.Program
    service          = [string]$service.Service
    authentication   = [string]$security.Authentication
    encryption       = [string]$security.Encryption
    override_block   = [string]$security.OverrideBlockRules
    store            = [string]$r.PolicyStoreSourceType
  }
}

$document = [ordered]@{
  format   = 'winports-windows-firewall'
  version  = 1
  computer = $env:COMPUTERNAME
  profiles = @($profiles)
  rules    = @($rules)
}
# UTF-8 whatever the console's code page; winports also reads the UTF-16 of a '>' redirection.
[System.IO.File]::WriteAllText($Path, ($document | ConvertTo-Json -Depth 4), [System.Text.UTF8Encoding]::new($false))
)PS";
}

}  // namespace winports::audit
