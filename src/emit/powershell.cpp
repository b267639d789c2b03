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

#include "predefined.hpp"
#include "winports/emit/messages.hpp"

namespace winports::emit {
namespace {

std::string quote(std::string_view s) { return powershell_literal(s); }

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + quote(i);
  return "@(" + out + ")";
}

// The host's own addresses (-LocalAddress of a GPO's rules): one, or the list of a dual-stack host.
std::string local_address(const plan::Host& h) {
  if (h.addresses.size() == 1) return quote(h.addresses.front().to_string());
  std::vector<std::string> all;
  for (const auto& a : h.addresses) all.push_back(a.to_string());
  return list(all);
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

// New-NetFirewallRule's -Protocol for a base rule: a name where it has one, else the number.
std::string base_protocol(int protocol) {
  switch (protocol) {
    case 6:
      return "TCP";
    case 17:
      return "UDP";
    case 1:
      return "ICMPv4";
    case 58:
      return "ICMPv6";
    default:
      return std::to_string(protocol);
  }
}

std::vector<std::string> port_strings(const PortSet& ports) {
  std::vector<std::string> out;
  for (auto r : ports.ranges()) out.push_back(r.to_string());
  return out;
}

// Hosts whose Windows has no NetSecurity module get no PowerShell, and a warning that says what
// they can use instead.
bool has_netsecurity(const Input& in, const plan::Host& h) {
  const auto* os = detail::host_os(in, h);
  if (!os || os->has_host_firewall("netsecurity")) return true;
  detail::refuse(
      in, say(os->has_host_firewall("netsh-advfirewall") ? msg::emit_powershell_use_netsh : msg::emit_powershell_none,
              in.options.lang, {h.name, os->names.in(in.options.lang)}));
  return false;
}

// The script around the tables: parameters, store selection, create-then-remove, rollback, the
// predefined rules it supersedes (and their state file), -Exclusive, -Undo, -ConfirmWithin.
constexpr const char* kApply = R"PS(
$gpo = $PolicyStore -notin @('PersistentStore', 'ActiveStore', 'localhost')
if ($Exclusive -and -not $gpo) {
  throw 'winports: -Exclusive turns the local rules off with a GPO setting (AllowLocalFirewallRules) that only a GPO holds: give -PolicyStore DOMAIN\GPO-NAME, or leave -Exclusive out to supersede the predefined rules of this computer instead'
}
if ($ConfirmWithin -gt 0 -and $gpo) {
  throw 'winports: -ConfirmWithin needs the local store: a host the new GPO cuts off could not fetch the GPO that would revert it. Link the GPO to a test OU with one host first, or load this computer with -ConfirmWithin'
}
$stateFile = Join-Path $StateDirectory ($site + '.json')
$revertFile = Join-Path $StateDirectory ('revert-' + $site + '.ps1')
$task = 'winports-revert-' + $site
function Read-WinportsState {
  if (Test-Path -LiteralPath $stateFile) { return (Get-Content -Raw -LiteralPath $stateFile | ConvertFrom-Json) }
  return [pscustomobject]@{ Site = $site; Disabled = @(); Pending = $null }
}
function Write-WinportsState($state) {
  if ($WhatIfPreference) { return }
  New-Item -ItemType Directory -Force -Path $StateDirectory | Out-Null
  $state | ConvertTo-Json -Depth 4 | Set-Content -Encoding UTF8 -LiteralPath $stateFile
}
if ($gpo) { $store = @{ GPOSession = (Open-NetGPO -PolicyStore $PolicyStore) } } else { $store = @{ PolicyStore = $PolicyStore } }
if ($FirewallProfile -contains 'Any') { $profiles = @('Domain', 'Private', 'Public') } else { $profiles = $FirewallProfile }

if ($Undo) {
  # Back to what was there before winports: the site's rules removed, the predefined rules it
  # disabled enabled again, a GPO's firewall settings returned to "not configured".
  if (Get-ScheduledTask -TaskName $task -ErrorAction SilentlyContinue) { Unregister-ScheduledTask -TaskName $task -Confirm:$false }
  $state = Read-WinportsState
  foreach ($name in @($state.Disabled)) {
    if ($PSCmdlet.ShouldProcess(('{0}: {1}' -f $PolicyStore, $name), 'Enable-NetFirewallRule')) {
      Enable-NetFirewallRule @store -Name $name -ErrorAction SilentlyContinue
    }
  }
  foreach ($old in @(Get-NetFirewallRule @store -Group $group -ErrorAction SilentlyContinue)) {
    if ($PSCmdlet.ShouldProcess(('{0}: {1}' -f $PolicyStore, $old.DisplayName), 'Remove-NetFirewallRule')) {
      Remove-NetFirewallRule @store -Name $old.Name
    }
  }
  if ($gpo -and $PSCmdlet.ShouldProcess($PolicyStore, 'Set-NetFirewallProfile (NotConfigured)')) {
    Set-NetFirewallProfile @store -Profile $profiles -Enabled NotConfigured -DefaultInboundAction NotConfigured -AllowLocalFirewallRules NotConfigured -LogBlocked NotConfigured
  }
  if ($gpo -and -not $WhatIfPreference) { Save-NetGPO -GPOSession $store.GPOSession }
  if (-not $gpo -and -not $WhatIfPreference) { Remove-Item -LiteralPath $stateFile, $revertFile -ErrorAction SilentlyContinue }
  return
}

if ($Commit) {
  # Keep what a -ConfirmWithin run loaded: stop its revert, then remove the rules it kept in reserve.
  $state = Read-WinportsState
  if (-not $state.Pending) { throw ('winports: nothing of site ' + $site + ' waits for confirmation') }
  if (-not (Get-ScheduledTask -TaskName $task -ErrorAction SilentlyContinue)) { throw 'winports: too late: the revert has already run' }
  Unregister-ScheduledTask -TaskName $task -Confirm:$false
  foreach ($name in @($state.Pending.Previous)) { Remove-NetFirewallRule @store -Name $name -ErrorAction SilentlyContinue }
  $state.Pending = $null
  Write-WinportsState $state
  Remove-Item -LiteralPath $revertFile -ErrorAction SilentlyContinue
  Write-Output ('winports: site ' + $site + ' kept')
  return
}

if ($gpo) { $selected = @($rules) } else { $selected = @($rules | Where-Object { $_.Host -eq $env:COMPUTERNAME }) }
if ($selected.Count -eq 0) {
  Write-Warning ('winports: no rules for ' + $env:COMPUTERNAME + ' in site ' + $site)
  return
}
if ($Exclusive) {
  Write-Warning ('winports: -Exclusive: on every host this GPO reaches, the firewall is turned on, inbound traffic is blocked unless a rule of the GPO allows it, and the local rules (the predefined ones and any an administrator or a program added) stop applying. Check each host first: winports audit SITE HOST.json --host NAME --exclusive lists the local rules that will stop applying there.')
  if (-not $Force -and -not $WhatIfPreference -and -not $PSCmdlet.ShouldContinue('Local firewall rules stop applying on every host ' + $PolicyStore + ' reaches. Continue?', 'winports -Exclusive')) { return }
  foreach ($b in $base) { $r = $b.Clone(); $r.Host = 'base'; $r.Id = $b.Name; $selected += $r }
}
if ($ConfirmWithin -gt 0 -and (Get-ScheduledTask -TaskName $task -ErrorAction SilentlyContinue)) {
  throw ('winports: an apply of site ' + $site + ' waits for confirmation: keep it (-Commit) or let it revert first')
}
$previous = @(Get-NetFirewallRule @store -Group $group -ErrorAction SilentlyContinue)
# A fresh name for this run's rules: the previous ones stay in force until the new ones exist.
$generation = [guid]::NewGuid().ToString('N').Substring(0, 8)
$created = New-Object System.Collections.Generic.List[string]
try {
  foreach ($r in $selected) {
    $name = '{0}:{1}:{2}:{3}' -f $group, $r.Host, $r.Id, $generation
    $rule = @{
      Name = $name; Group = $group; DisplayName = $r.DisplayName; Description = $r.Description
      Direction = 'Inbound'; Action = 'Allow'; Profile = $FirewallProfile; Protocol = $r.Protocol
    }
    foreach ($key in @('LocalPort', 'RemotePort', 'IcmpType', 'RemoteAddress', 'Program', 'Service')) { if ($r.ContainsKey($key)) { $rule[$key] = $r[$key] } }
    if ($gpo -and $r.ContainsKey('Address')) { $rule['LocalAddress'] = $r.Address }
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

if (-not $gpo) {
  # The predefined rules whose traffic the site's rules now carry: disabled by Name, each recorded
  # in the state file that -Undo reads before it is disabled.
  $state = Read-WinportsState
  $disabledNow = @()
  foreach ($p in @($supersede | Where-Object { $_.Host -eq $env:COMPUTERNAME })) {
    $existing = Get-NetFirewallRule -PolicyStore $PolicyStore -Name $p.Name -ErrorAction SilentlyContinue
    if ($existing -and $existing.Enabled -eq 'True' -and $PSCmdlet.ShouldProcess(('{0}: {1} ({2})' -f $PolicyStore, $p.Name, $p.Group), 'Disable-NetFirewallRule')) {
      $disabledNow += $p.Name
    }
  }
  $state.Disabled = @(@($state.Disabled) + $disabledNow | Select-Object -Unique)
  if ($ConfirmWithin -gt 0) {
    $state.Pending = [pscustomobject]@{ Created = @($created); Previous = @($previous | ForEach-Object { $_.Name }); DisabledNow = $disabledNow }
  }
  Write-WinportsState $state
  if ($ConfirmWithin -gt 0 -and -not $WhatIfPreference) {
    # The revert runs as SYSTEM from the task scheduler, so a lost RDP or WinRM session still reverts.
    $revert = @(
      ('$stateFile = ''{0}''' -f ($stateFile -replace "'", "''")),
      '$state = Get-Content -Raw -LiteralPath $stateFile | ConvertFrom-Json',
      ('foreach ($n in @($state.Pending.Created)) {{ Remove-NetFirewallRule -PolicyStore ''{0}'' -Name $n -ErrorAction SilentlyContinue }}' -f $PolicyStore),
      ('foreach ($n in @($state.Pending.DisabledNow)) {{ Enable-NetFirewallRule -PolicyStore ''{0}'' -Name $n -ErrorAction SilentlyContinue }}' -f $PolicyStore),
      '$state.Disabled = @(@($state.Disabled) | Where-Object { $_ -notin @($state.Pending.DisabledNow) })',
      '$state.Pending = $null',
      '$state | ConvertTo-Json -Depth 4 | Set-Content -Encoding UTF8 -LiteralPath $stateFile',
      ('Unregister-ScheduledTask -TaskName ''{0}'' -Confirm:$false' -f $task)
    )
    Set-Content -Encoding UTF8 -LiteralPath $revertFile -Value $revert
    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument ('-NoProfile -ExecutionPolicy Bypass -File "' + $revertFile + '"')
    $trigger = New-ScheduledTaskTrigger -Once -At ((Get-Date).AddSeconds($ConfirmWithin))
    Register-ScheduledTask -TaskName $task -Action $action -Trigger $trigger -User 'SYSTEM' -RunLevel Highest | Out-Null
  }
  foreach ($name in $disabledNow) { Disable-NetFirewallRule -PolicyStore $PolicyStore -Name $name }
  # What Windows opens that the plan does not carry is the administrator's call: said, not changed.
  foreach ($l in @($left | Where-Object { $_.Host -eq $env:COMPUTERNAME })) {
    $existing = Get-NetFirewallRule -PolicyStore $PolicyStore -Name $l.Name -ErrorAction SilentlyContinue
    if ($existing -and $existing.Enabled -eq 'True') {
      Write-Warning ('winports: left open: {0} ({1}) opens {2}, which the plan does not carry; if nothing needs it: Disable-NetFirewallRule -Name {0}' -f $l.Name, $l.Group, $l.Opens)
    }
  }
}

if ($ConfirmWithin -gt 0) {
  # The previous rules stay beside the new ones until the run is kept; the revert removes the new ones.
  $message = 'winports: loaded; it reverts in ' + $ConfirmWithin + ' s unless kept: type yes here, or run this script with -Commit from another session'
  if ([Environment]::UserInteractive -and -not $WhatIfPreference) {
    if ((Read-Host $message) -eq 'yes') { & $PSCommandPath -Commit -PolicyStore $PolicyStore -StateDirectory $StateDirectory }
  } else {
    Write-Output $message
  }
  return
}
foreach ($old in $previous) {
  if ($PSCmdlet.ShouldProcess(('{0}: {1}' -f $PolicyStore, $old.DisplayName), 'Remove-NetFirewallRule')) {
    Remove-NetFirewallRule @store -Name $old.Name
  }
}
if ($gpo -and $Exclusive -and $PSCmdlet.ShouldProcess($PolicyStore, 'Set-NetFirewallProfile')) {
  # Dropped packets are logged, so that `winports analyze pfirewall.log` shows what the plan blocks.
  Set-NetFirewallProfile @store -Profile $profiles -Enabled True -DefaultInboundAction Block -AllowLocalFirewallRules False -LogBlocked True -LogFileName '%systemroot%\system32\LogFiles\Firewall\pfirewall.log' -LogMaxSizeKilobytes 16384
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
  out << "# Run as administrator on Windows 8 / Windows Server 2012 or later (the NetSecurity module).\n";
  out << "# Try it with -WhatIf first: it says what it would change and changes nothing.\n";
  out << "#   .\\script.ps1                           this computer's rules (by name) into its local store; the\n";
  out << "#                                          predefined rules whose traffic they carry ($supersede) are\n";
  out << "#                                          disabled by Name and recorded in -StateDirectory; the ones\n";
  out << "#                                          that open what the plan does not carry ($left) are listed\n";
  out << "#   -ConfirmWithin 300                     local store: revert unless kept within 300 s (yes at the\n";
  out << "#                                          prompt, or -Commit from another session); a scheduled task\n";
  out << "#                                          reverts, so a lost RDP or WinRM session still reverts\n";
  out << "#   -Undo                                  remove the site's rules, enable again what it disabled\n";
  out << "#   .\\script.ps1 -PolicyStore 'contoso.com\\Servers Firewall'\n";
  out << "#                                          every host's rules into that GPO, each scoped to its host's\n";
  out << "#                                          address (-LocalAddress); link the GPO to the hosts' OU\n";
  out << "#   -Exclusive                             with a GPO: the firewall on, inbound default Block, local\n";
  out << "#                                          rules (predefined ones too) no longer applied, dropped packets\n";
  out << "#                                          logged, plus the base rules every host needs ($base)\n";
  out << "#   -Profile Domain,Private                the profiles the rules apply to (default: Any)\n";
  out << "# Running it again replaces the rules of group '" << group
      << "' without a gap: the new rules are created first,\n";
  out << "# then the previous ones removed; if a creation fails, this run's rules are removed and the previous stay.\n";
  out << "[CmdletBinding(SupportsShouldProcess = $true)]\n";
  out << "param(\n  [string] $PolicyStore = 'PersistentStore',\n";
  out << "  [Alias('Profile')] [ValidateSet('Any', 'Domain', 'Private', 'Public')] [string[]] $FirewallProfile = "
         "@('Any'),\n";
  out << "  [switch] $Exclusive,\n  [switch] $Undo,\n  [ValidateRange(0, 86400)] [int] $ConfirmWithin = 0,\n";
  out << "  [switch] $Commit,\n  [switch] $Force,\n";
  out << "  [string] $StateDirectory = (Join-Path $env:ProgramData 'winports')\n)\n";
  out << "#Requires -RunAsAdministrator\n#Requires -Modules NetSecurity\n";
  out << "$ErrorActionPreference = 'Stop'\n";
  out << "$site = " << quote(env.site) << "\n";
  out << "$group = " << quote(group) << "\n";
  out << "$rules = @(\n";
  const detail::FlowsByHost reaching(in.plan);
  std::ostringstream supersede, left;
  for (const auto& h : env.hosts) {
    if (*selected && &h != *selected) continue;
    auto rules = detail::host_rules(in, h, reaching);
    if (rules.empty() || !has_netsecurity(in, h)) continue;
    auto predefined = detail::host_predefined(in, h, rules);
    for (const auto* p : predefined.superseded)
      supersede << "  @{ Host = " << quote(h.name) << "; Name = " << quote(p->name) << "; Group = " << quote(p->group)
                << "; Opens = " << quote(detail::predefined_opens(*p)) << " }\n";
    for (const auto* p : predefined.left)
      left << "  @{ Host = " << quote(h.name) << "; Name = " << quote(p->name) << "; Group = " << quote(p->group)
           << "; Opens = " << quote(detail::predefined_opens(*p)) << " }\n";
    int n = 0;
    for (const auto& [f, remote, rule, family] : rules) {
      auto protocol = protocol_name(rule, family);
      auto ports = local_ports(rule);
      out << "  @{ Host = " << quote(h.name) << "; Address = " << local_address(h) << "; Id = " << ++n
          << "; DisplayName = " << quote(detail::rule_title(in, *f, rule, h, protocol)) << "; Description = "
          << quote(f->source.name + " -> " + h.name + ": " + plan::reasons_text(*f, in.catalog, in.options.lang))
          << "; Protocol = " << quote(protocol);
      if (!ports.empty()) out << "; LocalPort = " << list(ports);
      if (rule.remote_port) out << "; RemotePort = " << quote(std::to_string(*rule.remote_port));
      if (rule.echo) out << "; IcmpType = " << quote(family == 4 ? "8" : "128");
      out << "; RemoteAddress = " << list(remote) << " }\n";
    }
  }
  out << ")\n";
  out << "# Predefined rules (by their stable Name) whose traffic the rules above carry: disabled in the local "
         "store.\n";
  out << "$supersede = @(\n" << supersede.str() << ")\n";
  out << "# Predefined rules Windows enables there that open what the plan does not carry: listed, left as they are.\n";
  out << "$left = @(\n" << left.str() << ")\n";
  out << "# -Exclusive: the rules every Windows host needs whatever the plan says, carried by the GPO.\n";
  out << "$base = @(\n";
  for (const auto& p : in.catalog.predefined_rules) {
    if (p.base.empty()) continue;
    out << "  @{ Name = " << quote(p.name) << "; DisplayName = " << quote(env.site + ": base — " + p.display)
        << "; Description = " << quote(p.base + " (Windows' predefined " + p.name + ")")
        << "; Protocol = " << quote(base_protocol(p.protocol));
    if (!p.local_ports.empty()) out << "; LocalPort = " << list(port_strings(p.local_ports));
    if (!p.remote_ports.empty()) out << "; RemotePort = " << list(port_strings(p.remote_ports));
    if (!p.icmp.empty()) out << "; IcmpType = " << list(p.icmp);
    if (!p.remote.empty()) out << "; RemoteAddress = " << list(p.remote);
    if (!p.program.empty()) out << "; Program = " << quote(p.program);
    if (!p.service.empty()) out << "; Service = " << quote(p.service);
    out << " }\n";
  }
  out << ")\n";
  out << kApply;
  return out.str();
}

}  // namespace winports::emit
