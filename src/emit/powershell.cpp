// Windows Firewall, PowerShell (NetSecurity module): every host's inbound rules as data, then one
// loop that writes them to the local store (this computer's rules, picked by name) or, with
// -PolicyStore, to a GPO through one Open-NetGPO/Save-NetGPO session (every host's rules, each
// scoped to its host with -LocalAddress, so one GPO linked to the servers' OU serves them all).
// Replacement leaves no gap: the new rules are created first under a fresh name, then the previous
// rules of the site's group removed; if a creation fails, what this run created is removed and the
// previous rules stay (a GPO session is simply not saved). Nothing depends on Windows' display
// language, every value is single-quoted, each merged flow stays one rule, and TCP 135 and the
// dynamic RPC range use the RPCEPMap and RPC keywords, which open only the endpoints RPC assigns.
#include <sstream>

#include "common.hpp"

namespace winports::emit {
namespace {

std::string quote(std::string_view s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("''") : std::string(1, ch);
  return out + "'";
}

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + quote(i);
  return "@(" + out + ")";
}

// Windows' names for a rule's protocol and local ports.
std::string protocol_name(const detail::WindowsRule& r, int family) {
  switch (r.transport) {
    case Transport::tcp:
      return "TCP";
    case Transport::udp:
      return "UDP";
    case Transport::icmp:
    case Transport::icmpv6:
      return family == 4 ? "ICMPv4" : "ICMPv6";
    default:
      return std::to_string(ip_protocol_number(r.transport));
  }
}

std::vector<std::string> local_ports(const detail::WindowsRule& r) {
  switch (r.keyword) {
    case detail::RpcKeyword::rpc:
      return {"RPC"};
    case detail::RpcKeyword::endpoint_mapper:
      return {"RPCEPMap"};
    default:
      return r.ports;
  }
}

// Hosts whose Windows has no NetSecurity module get no PowerShell, and a warning that says what
// they can use instead.
bool has_netsecurity(const Input& in, const plan::Host& h) {
  const auto* os = detail::host_os(in, h);
  if (!os || os->has_host_firewall("netsecurity")) return true;
  detail::refuse(
      in, say(os->has_host_firewall("netsh-advfirewall") ? Msg::emit_powershell_use_netsh : Msg::emit_powershell_none,
              in.options.lang, {h.name, os->names.in(in.options.lang)}));
  return false;
}

// The script around the rule table: parameters, store selection, create-then-remove, rollback.
constexpr const char* kApply = R"PS(
$gpo = $PolicyStore -notin @('PersistentStore', 'ActiveStore', 'localhost')
if ($gpo) { $selected = @($rules) } else { $selected = @($rules | Where-Object { $_.Host -eq $env:COMPUTERNAME }) }
if ($selected.Count -eq 0) {
  Write-Warning ('winports: no rules for ' + $env:COMPUTERNAME + ' in site ' + $site)
  return
}
if ($gpo) { $store = @{ GPOSession = (Open-NetGPO -PolicyStore $PolicyStore) } } else { $store = @{ PolicyStore = $PolicyStore } }
$previous = @(Get-NetFirewallRule @store -Group $group -ErrorAction SilentlyContinue)
# A fresh name for this run's rules: the previous ones stay in force until the new ones exist.
$generation = [guid]::NewGuid().ToString('N').Substring(0, 8)
$created = New-Object System.Collections.Generic.List[string]
try {
  foreach ($r in $selected) {
    $name = '{0}:{1}:{2}:{3}' -f $group, $r.Host, $r.Id, $generation
    $rule = @{
      Name = $name; Group = $group; DisplayName = $r.DisplayName; Description = $r.Description
      Direction = 'Inbound'; Action = 'Allow'; Profile = $FirewallProfile
      Protocol = $r.Protocol; RemoteAddress = $r.RemoteAddress
    }
    foreach ($key in @('LocalPort', 'RemotePort', 'IcmpType')) { if ($r.ContainsKey($key)) { $rule[$key] = $r[$key] } }
    if ($gpo) { $rule['LocalAddress'] = $r.Address }
    if ($PSCmdlet.ShouldProcess(('{0}: {1}' -f $PolicyStore, $r.DisplayName), 'New-NetFirewallRule')) {
      New-NetFirewallRule @store @rule | Out-Null
      $created.Add($name)
    }
  }
} catch {
  Write-Warning ('winports: a rule was refused; removing the ' + $created.Count + ' this run created, the previous rules stay')
  foreach ($name in $created) { Remove-NetFirewallRule @store -Name $name -ErrorAction SilentlyContinue }
  throw
}
foreach ($old in $previous) {
  if ($PSCmdlet.ShouldProcess(('{0}: {1}' -f $PolicyStore, $old.DisplayName), 'Remove-NetFirewallRule')) {
    Remove-NetFirewallRule @store -Name $old.Name
  }
}
if ($gpo -and -not $WhatIfPreference) { Save-NetGPO -GPOSession $store.GPOSession }
)PS";

}  // namespace

Result<std::string> emit_powershell(const Input& in) {
  auto selected = detail::selected_host(in);
  if (!selected) return selected.error();
  const auto& env = in.env;
  const std::string group = "winports:" + env.site;
  std::ostringstream out;
  // UTF-8 with a byte-order mark: Windows PowerShell 5.1 reads a file without one in the ANSI code
  // page, and the display names and KB titles are not ASCII.
  out << "\xEF\xBB\xBF";
  out << "# winports plan for site " << env.site << ": Windows Firewall inbound rules for each host.\n";
  out << "# Ports from " << detail::ports_from(in)
      << "; each rule's description names the services and KB rows it serves.\n";
  out << "# Run as administrator on Windows 8 / Windows Server 2012 or later (the NetSecurity module):\n";
  out << "#   .\\script.ps1                           this computer's rules (by name), in its local store\n";
  out << "#   .\\script.ps1 -PolicyStore 'contoso.com\\Servers Firewall'\n";
  out << "#                                          every host's rules into that GPO, each scoped to its host's\n";
  out << "#                                          address (-LocalAddress); link the GPO to the hosts' OU\n";
  out << "#   -Profile Domain,Private                the profiles the rules apply to (default: Any)\n";
  out << "#   -WhatIf                                say what would change and change nothing\n";
  out << "# Running it again replaces the rules of group '" << group
      << "' without a gap: the new rules are created first,\n";
  out << "# then the previous ones removed; if a creation fails, this run's rules are removed and the previous stay.\n";
  out << "[CmdletBinding(SupportsShouldProcess = $true)]\n";
  out << "param(\n  [string] $PolicyStore = 'PersistentStore',\n";
  out << "  [Alias('Profile')] [ValidateSet('Any', 'Domain', 'Private', 'Public')] [string[]] $FirewallProfile = "
         "@('Any')\n)\n";
  out << "#Requires -RunAsAdministrator\n#Requires -Modules NetSecurity\n";
  out << "$ErrorActionPreference = 'Stop'\n";
  out << "$site = " << quote(env.site) << "\n";
  out << "$group = " << quote(group) << "\n";
  out << "$rules = @(\n";
  const detail::FlowsByHost reaching(in.plan);
  for (const auto& h : env.hosts) {
    if (*selected && &h != *selected) continue;
    auto rules = detail::host_rules(in, h, reaching);
    if (rules.empty() || !has_netsecurity(in, h)) continue;
    int n = 0;
    for (const auto& [f, remote, rule] : rules) {
      auto protocol = protocol_name(rule, h.address.family);
      auto ports = local_ports(rule);
      out << "  @{ Host = " << quote(h.name) << "; Address = " << quote(h.address.to_string()) << "; Id = " << ++n
          << "; DisplayName = " << quote(detail::rule_title(in, *f, rule, h, protocol)) << "; Description = "
          << quote(f->source.name + " -> " + h.name + ": " + plan::reasons_text(*f, in.catalog, in.options.lang))
          << "; Protocol = " << quote(protocol);
      if (!ports.empty()) out << "; LocalPort = " << list(ports);
      if (rule.remote_port) out << "; RemotePort = " << quote(std::to_string(*rule.remote_port));
      if (rule.echo) out << "; IcmpType = " << quote(h.address.family == 4 ? "8" : "128");
      out << "; RemoteAddress = " << list(remote) << " }\n";
    }
  }
  out << ")\n";
  out << kApply;
  return out.str();
}

}  // namespace winports::emit
