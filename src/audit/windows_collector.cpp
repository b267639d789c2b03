// The collector: a PowerShell script `winports audit --collector` prints, run on a Windows host to
// write its firewall's effective rules (the ActiveStore: local, GPO and other stores as enforced)
// and each profile's state as JSON that windows_json.cpp reads. Enum values are written with
// [string], which gives their names whatever the display language, so the JSON is the same on a
// Japanese and an English Windows. It only reads.
#include "winports/audit/messages.hpp"
#include "winports/audit/ruleset.hpp"
#include "winports/core/text.hpp"

namespace winports::audit {
namespace {

constexpr std::string_view kScript = R"PS(# @@header@@
#   winports audit SITE.yaml THIS.json --host NAME [--profile domain|private|public]
# @@reads@@
[CmdletBinding()]
param([Parameter(Mandatory = $true)][string]$Path)
$ErrorActionPreference = 'Stop'

function ConvertTo-Strings($values) {
  # @@strings@@
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
# @@utf8@@
[System.IO.File]::WriteAllText($Path, ($document | ConvertTo-Json -Depth 4), [System.Text.UTF8Encoding]::new($false))
)PS";

}  // namespace

std::string windows_collector_script(Lang lang) {
  // UTF-8 with a byte-order mark: Windows PowerShell 5.1 reads a file without one in the ANSI code
  // page, and the comments are in the run's language.
  return "\xEF\xBB\xBF" + with_comments(std::string(kScript), {{"header", msg::collector_header.in(lang)},
                                                               {"reads", msg::collector_reads.in(lang)},
                                                               {"strings", msg::collector_strings.in(lang)},
                                                               {"utf8", msg::collector_utf8.in(lang)}});
}

}  // namespace winports::audit
