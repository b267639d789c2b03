// Windows Firewall, PowerShell (NetSecurity module): every host's inbound rules as data, then one
// loop that writes them to the local store (this computer's rules, picked by name) or, with
// -PolicyStore, to a GPO through one Open-NetGPO/Save-NetGPO session (every host's rules, each
// scoped to its host with -LocalAddress, so one GPO linked to the servers' OU serves them all).
// Replacement leaves no gap: the new rules are created first under a fresh name, then the previous
// rules of the site's group removed; if a creation fails, what this run created is removed and the
// previous rules stay (a GPO session is simply not saved). Nothing depends on Windows' display
// language, every value is single-quoted, each merged flow stays one rule, and TCP 135 and the
// dynamic RPC range use the RPCEPMap and RPC keywords, which open only the endpoints RPC assigns.
#include <array>

#include "predefined.hpp"
#include "winports/emit/messages.hpp"

namespace winports::emit {
namespace {

std::string quote(std::string_view s) { return powershell_literal(s); }

// Parts written as one literal straight into the output (`out << literal(site, ": ", host)`): the
// rules table quotes a title and a description per rule, 200,000 of them in a 5,000-host site.
template <std::size_t N>
struct Literal {
  std::array<std::string_view, N> parts;
};
template <class... Parts>
Literal<sizeof...(Parts)> literal(const Parts&... parts) {
  return {{std::string_view(parts)...}};
}
template <std::size_t N>
detail::TextOut& operator<<(detail::TextOut& out, const Literal<N>& text) {
  append_powershell_literal(out.text(), text.parts);
  return out;
}
template <class Item>
detail::TextOut& operator<<(detail::TextOut& out, const std::vector<Item>& items) {
  out << "@(";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out << ',';
    out << literal(items[i]);
  }
  return out << ')';
}
// The same list as a string, for the few values written on their own.
std::string list(const std::vector<std::string>& items) {
  detail::TextOut out;
  out << items;
  return std::move(out).str();
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
  throw @@'exclusive_needs_gpo@@
}
if ($ConfirmWithin -gt 0 -and $gpo) {
  throw @@'confirm_needs_local@@
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
  # @@undo@@
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
  # @@commit@@
  $state = Read-WinportsState
  if (-not $state.Pending) { throw (@@'nothing_waits@@ -f $site) }
  if (-not (Get-ScheduledTask -TaskName $task -ErrorAction SilentlyContinue)) { throw @@'too_late@@ }
  Unregister-ScheduledTask -TaskName $task -Confirm:$false
  foreach ($name in @($state.Pending.Previous)) { Remove-NetFirewallRule @store -Name $name -ErrorAction SilentlyContinue }
  $state.Pending = $null
  Write-WinportsState $state
  Remove-Item -LiteralPath $revertFile -ErrorAction SilentlyContinue
  Write-Output (@@'kept@@ -f $site)
  return
}

if ($gpo) { $selected = @($rules) } else { $selected = @($rules | Where-Object { $_.Host -eq $env:COMPUTERNAME }) }
if ($selected.Count -eq 0) {
  Write-Warning (@@'no_rules@@ -f $env:COMPUTERNAME, $site)
  return
}
if ($Exclusive) {
  Write-Warning @@'exclusive_warning@@
  if (-not $Force -and -not $WhatIfPreference -and -not $PSCmdlet.ShouldContinue((@@'exclusive_question@@ -f $PolicyStore), 'winports -Exclusive')) { return }
  foreach ($b in $base) { $r = $b.Clone(); $r.Host = 'base'; $r.Id = $b.Name; $selected += $r }
}
if ($ConfirmWithin -gt 0 -and (Get-ScheduledTask -TaskName $task -ErrorAction SilentlyContinue)) {
  throw (@@'apply_waits@@ -f $site)
}
$previous = @(Get-NetFirewallRule @store -Group $group -ErrorAction SilentlyContinue)
# @@generation@@
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
  Write-Warning (@@'rule_refused@@ -f $created.Count)
  foreach ($name in $created) { Remove-NetFirewallRule @store -Name $name -ErrorAction SilentlyContinue }
  throw
}

if (-not $gpo) {
  # @@supersede@@
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
    # @@revert_task@@
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
  # @@left@@
  foreach ($l in @($left | Where-Object { $_.Host -eq $env:COMPUTERNAME })) {
    $existing = Get-NetFirewallRule -PolicyStore $PolicyStore -Name $l.Name -ErrorAction SilentlyContinue
    if ($existing -and $existing.Enabled -eq 'True') {
      Write-Warning (@@'left_open@@ -f $l.Name, $l.Group, $l.Opens)
    }
  }
}

if ($ConfirmWithin -gt 0) {
  # @@pending@@
  $message = @@'loaded@@ -f $ConfirmWithin
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
  # @@log@@
  Set-NetFirewallProfile @store -Profile $profiles -Enabled True -DefaultInboundAction Block -AllowLocalFirewallRules False -LogBlocked True -LogFileName '%systemroot%\system32\LogFiles\Firewall\pfirewall.log' -LogMaxSizeKilobytes 16384
}
if ($gpo -and -not $WhatIfPreference) { Save-NetGPO -GPOSession $store.GPOSession }
)PS";

// The script's own words, in the run's language (filled in by filled_script).
std::vector<std::pair<std::string_view, std::string>> script_words(Lang lang) {
  return {
      {"exclusive_needs_gpo", msg::ps_exclusive_needs_gpo.in(lang)},
      {"confirm_needs_local", msg::ps_confirm_needs_local.in(lang)},
      {"undo", msg::ps_comment_undo.in(lang)},
      {"commit", msg::ps_comment_commit.in(lang)},
      {"nothing_waits", msg::ps_nothing_waits.in(lang, "{0}")},
      {"too_late", msg::ps_too_late.in(lang)},
      {"kept", msg::ps_kept.in(lang, "{0}")},
      {"no_rules", msg::script_no_rules.in(lang, "{0}", "{1}")},
      {"exclusive_warning", msg::ps_exclusive_warning.in(lang)},
      {"exclusive_question", msg::ps_exclusive_question.in(lang, "{0}")},
      {"apply_waits", msg::ps_apply_waits.in(lang, "{0}")},
      {"generation", msg::ps_comment_generation.in(lang)},
      {"rule_refused", msg::ps_rule_refused.in(lang, "{0}")},
      {"supersede", msg::ps_comment_supersede.in(lang)},
      {"revert_task", msg::ps_comment_revert_task.in(lang)},
      {"left", msg::ps_comment_left.in(lang)},
      {"left_open", msg::ps_left_open.in(lang, "{0}", "{1}", "{2}")},
      {"pending", msg::ps_comment_pending.in(lang)},
      {"loaded", msg::ps_loaded.in(lang, "{0}")},
      {"log", msg::ps_comment_log.in(lang)},
  };
}

// kApply with its words filled in: `@@'key@@` a single-quoted literal (PowerShell's -f reads its
// braces: the messages hold none but {0}, {1} and {2}), `@@key@@` a comment.
std::string filled_script(Lang lang) {
  std::string out(kApply);
  auto words = script_words(lang);
  for (const auto& [key, text] : words) {
    const std::string literal = "@@'" + std::string(key) + "@@";
    for (auto at = out.find(literal); at != std::string::npos; at = out.find(literal, at))
      out.replace(at, literal.size(), quote(text));
  }
  return with_comments(std::move(out), words);
}

// One row of the header's usage table: the option, then its words in a column of their own (an
// option wider than the column gets a line to itself).
std::string usage_row(std::string_view option, std::string_view words) {
  const std::string indent = "#" + std::string(42, ' ');
  std::string out;
  std::string head = "#   " + std::string(option);
  if (head.size() >= indent.size()) {
    out = head + "\n";
    head = indent;
  } else {
    head.append(indent.size() - head.size(), ' ');
  }
  return out + head + commented(words, indent).substr(indent.size());
}

}  // namespace

Result<std::string> emit_powershell(const Input& in) {
  auto selected = detail::selected_host(in);
  if (!selected) return selected.error();
  const auto& env = in.env;
  const std::string group = "winports:" + env.site;
  detail::TextOut out;
  // UTF-8 with a byte-order mark: Windows PowerShell 5.1 reads a file without one in the ANSI code
  // page, and the display names and KB titles are not ASCII.
  out << "\xEF\xBB\xBF";
  const auto lang = in.options.lang;
  out << commented(msg::ps_header_title.in(lang, env.site), "# ");
  out << commented(msg::ps_header_ports.in(lang, detail::ports_from(in, lang)), "# ");
  out << commented(msg::ps_header_run.in(lang), "# ");
  out << usage_row(".\\script.ps1", msg::ps_usage_local.in(lang));
  out << usage_row("-ConfirmWithin 300", msg::ps_usage_confirm.in(lang));
  out << usage_row("-Undo", msg::ps_usage_undo.in(lang));
  out << usage_row(".\\script.ps1 -PolicyStore 'contoso.com\\Servers Firewall'", msg::ps_usage_gpo.in(lang));
  out << usage_row("-Exclusive", msg::ps_usage_exclusive.in(lang));
  out << usage_row("-Profile Domain,Private", msg::ps_usage_profile.in(lang));
  out << commented(msg::ps_header_replace.in(lang, group), "# ");
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
  detail::FlowsByHost reaching(in.plan);
  detail::ReasonTexts reasons(in);
  detail::PredefinedAnswers predefined_answers(in);
  detail::RuleTitles titles(in);
  Memo<const catalog::PredefinedRule*, std::string> predefined_rows;  // the same few rules on every host
  auto predefined_row = [&](const catalog::PredefinedRule& p) -> const std::string& {
    return predefined_rows(&p, [&] {
      return "; Name = " + quote(p.name) + "; Group = " + quote(p.group) +
             "; Opens = " + quote(detail::predefined_opens(p)) + " }\n";
    });
  };
  detail::TextOut supersede, left;
  for (const auto& h : env.hosts) {
    if (*selected && &h != *selected) continue;
    auto rules = detail::host_rules(in, h, reaching);
    if (rules.empty() || !has_netsecurity(in, h)) continue;
    const auto host = quote(h.name), address = local_address(h);
    auto predefined = detail::host_predefined(in, h, rules, predefined_answers);
    for (const auto* p : predefined.superseded) supersede << "  @{ Host = " << host << predefined_row(*p);
    for (const auto* p : predefined.left) left << "  @{ Host = " << host << predefined_row(*p);
    int n = 0;
    for (const auto& [f, remote, rule, family] : rules) {
      auto protocol = protocol_name(rule, family);
      auto ports = local_ports(rule);
      out << "  @{ Host = " << host << "; Address = " << address << "; Id = " << ++n << "; DisplayName = "
          << literal(env.site, ": ", f->source.name, " \u2192 ", h.name, titles.tail(*f, rule, family, protocol))
          << "; Description = " << literal(f->source.name, " -> ", h.name, ": ", reasons(*f))
          << "; Protocol = " << literal(protocol);
      if (!ports.empty()) out << "; LocalPort = " << ports;
      if (rule.remote_port) out << "; RemotePort = " << literal(std::to_string(*rule.remote_port));
      if (rule.echo) out << "; IcmpType = " << literal(family == 4 ? "8" : "128");
      out << "; RemoteAddress = " << remote << " }\n";
    }
  }
  out << ")\n";
  out << commented(msg::ps_table_supersede.in(lang), "# ");
  out << "$supersede = @(\n" << supersede.str() << ")\n";
  out << commented(msg::ps_table_left.in(lang), "# ");
  out << "$left = @(\n" << left.str() << ")\n";
  out << commented(msg::ps_table_base.in(lang), "# ");
  out << "$base = @(\n";
  for (const auto& p : in.catalog.predefined_rules) {
    if (p.base.en.empty()) continue;
    out << "  @{ Name = " << quote(p.name)
        << "; DisplayName = " << quote(msg::ps_base_display.in(lang, env.site, p.display))
        << "; Description = " << quote(msg::ps_base_description.in(lang, p.base.in(lang), p.name))
        << "; Protocol = " << quote(base_protocol(p.protocol));
    if (!p.local_ports.empty()) out << "; LocalPort = " << port_strings(p.local_ports);
    if (!p.remote_ports.empty()) out << "; RemotePort = " << port_strings(p.remote_ports);
    if (!p.icmp.empty()) out << "; IcmpType = " << p.icmp;
    if (!p.remote.empty()) out << "; RemoteAddress = " << p.remote;
    if (!p.program.empty()) out << "; Program = " << quote(p.program);
    if (!p.service.empty()) out << "; Service = " << quote(p.service);
    out << " }\n";
  }
  out << ")\n";
  out << filled_script(lang);
  return std::move(out).str();
}

}  // namespace winports::emit
