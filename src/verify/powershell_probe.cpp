#include "winports/verify/powershell_probe.hpp"

#include <algorithm>
#include <set>

#include "winports/probe/messages.hpp"
#include "winports/verify/messages.hpp"

namespace winports::verify {
namespace {

// The script's fixed part: the probes, then the results written into the JSON skeleton.
constexpr std::string_view kBody = R"PS(
$ErrorActionPreference = 'Stop'

function ConvertFrom-Hex([string]$Text) {
  $bytes = New-Object byte[] ($Text.Length / 2)
  for ($i = 0; $i -lt $bytes.Length; $i++) { $bytes[$i] = [Convert]::ToByte($Text.Substring(2 * $i, 2), 16) }
  return , $bytes
}

function Get-SocketError($ErrorRecord) {
  # @@socket_error@@
  $e = $ErrorRecord.Exception
  while ($e -and -not ($e -is [System.Net.Sockets.SocketException])) { $e = $e.InnerException }
  if ($e) { return [string]$e.SocketErrorCode }
  return [string]$ErrorRecord.Exception.Message
}

function Get-Evidence([string]$Key, [object[]]$Values = @()) {
  return , @(($Evidence[$Key][0] -f $Values), ($Evidence[$Key][1] -f $Values))
}

function Test-TcpAll([int[]]$Indexes) {
  # @@connect_all@@
  $outcome = @{}
  for ($attempt = 0; $attempt -le $Retries -and $Indexes.Count -gt 0; $attempt++) {
    $open = @(foreach ($k in $Indexes) {
        $ip = [System.Net.IPAddress]::Parse($Requests[$k][0])
        $client = New-Object System.Net.Sockets.TcpClient ($ip.AddressFamily)
        try { $task = $client.ConnectAsync($ip, [int]$Requests[$k][2]) } catch { $task = $null; $code = Get-SocketError $_; $outcome[$k] = 'filtered', $code, $code }
        [pscustomobject]@{ K = $k; Client = $client; Task = $task }
      })
    $deadline = [DateTime]::UtcNow.AddMilliseconds($TimeoutMs)
    $silent = @()
    foreach ($o in $open) {
      try {
        if ($null -eq $o.Task) { continue }
        $left = [int][Math]::Max(0, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)
        if ($o.Task.Wait($left)) { $outcome[$o.K] = @('listening') + (Get-Evidence 'handshake') }
        else { $silent += $o.K }
      } catch {
        $code = Get-SocketError $_
        if ($code -eq 'ConnectionRefused') { $outcome[$o.K] = @('not-listening') + (Get-Evidence 'reset') }
        elseif ($code -in 'HostUnreachable', 'NetworkUnreachable') { $outcome[$o.K] = @('filtered') + (Get-Evidence 'icmp' $code) }
        else { $outcome[$o.K] = 'filtered', $code, $code }
      } finally {
        $o.Client.Dispose()
      }
    }
    $Indexes = $silent
  }
  foreach ($k in $Indexes) { $outcome[$k] = @('filtered') + (Get-Evidence 'silent_tcp' $TimeoutMs, ($Retries + 1)) }
  return $outcome
}

function Test-Udp([string]$Address, [int]$Port, [string]$Payload, [bool]$AnyPort) {
  $ip = [System.Net.IPAddress]::Parse($Address)
  $bytes = ConvertFrom-Hex $Payload
  for ($attempt = 0; $attempt -le $Retries; $attempt++) {
    $udp = New-Object System.Net.Sockets.UdpClient ($ip.AddressFamily)
    try {
      $udp.Client.ReceiveTimeout = $TimeoutMs
      $target = New-Object System.Net.IPEndPoint ($ip, $Port)
      # @@unconnected@@
      if ($AnyPort) { [void]$udp.Send($bytes, $bytes.Length, $target) }
      else { $udp.Connect($target); [void]$udp.Send($bytes, $bytes.Length) }
      $from = New-Object System.Net.IPEndPoint ($ip, 0)
      $reply = $udp.Receive([ref]$from)
      return @('listening') + (Get-Evidence 'udp_reply' $reply.Length)
    } catch {
      $code = Get-SocketError $_
      # @@reset@@
      if ($code -eq 'ConnectionReset') { return @('not-listening') + (Get-Evidence 'port_unreachable') }
      if ($code -in 'HostUnreachable', 'NetworkUnreachable') { return @('filtered') + (Get-Evidence 'icmp' $code) }
      if ($code -ne 'TimedOut') { return 'filtered', $code, $code }
    } finally {
      $udp.Dispose()
    }
  }
  return @('listening-or-filtered') + (Get-Evidence 'silent_udp' $TimeoutMs, ($Retries + 1))
}

$addresses = @([System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces() |
    ForEach-Object { $_.GetIPProperties().UnicastAddresses } | ForEach-Object { $_.Address } |
    Where-Object { -not [System.Net.IPAddress]::IsLoopback($_) -and -not $_.IsIPv6LinkLocal } |
    ForEach-Object { $_.ToString() } | Sort-Object -Unique)
$doc = $Skeleton | ConvertFrom-Json
$results = @($doc.payload.results)
$started = [DateTime]::UtcNow
$clock = [System.Diagnostics.Stopwatch]::StartNew()
$tcp = Test-TcpAll @(for ($k = 0; $k -lt $Requests.Count; $k++) { if ($Requests[$k][1] -eq 'tcp') { $k } })
for ($k = 0; $k -lt $Requests.Count; $k++) {
  $r = $Requests[$k]
  if ($r[1] -eq 'tcp') { $status, $detail, $detailJa = $tcp[$k] }
  else { $status, $detail, $detailJa = Test-Udp $r[0] $r[2] $r[3] $r[4] }
  $results[$k].status = $status
  $results[$k].detail = $detail
  $results[$k].detail_ja = $detailJa
  $results[$k].blocked = ($status -eq 'filtered') -or ($Strict -and $status -eq 'not-listening')
}
$clock.Stop()
$summary = $doc.payload.summary
$blocked = @($results | Where-Object { $_.blocked })
$summary.vantage.host = $env:COMPUTERNAME
$summary.vantage.addresses = $addresses
$summary.started = $started.ToString('yyyy-MM-ddTHH:mm:ssZ', [System.Globalization.CultureInfo]::InvariantCulture)
$summary.seconds = $clock.Elapsed.TotalSeconds
$summary.probed = $results.Count
$summary.blocked = $blocked.Count
$summary.refused = @($results | Where-Object { $_.status -eq 'not-listening' }).Count
$summary.unproven = @($results | Where-Object { $_.status -eq 'listening-or-filtered' }).Count
$summary.broken_services = @($blocked | ForEach-Object { $_.required_by } | Sort-Object -Unique)
# @@order@@
$doc.payload.results = @($blocked) + @($results | Where-Object { -not $_.blocked })
$json = $doc | ConvertTo-Json -Depth 10 -Compress
if ($Path) { [System.IO.File]::WriteAllText($Path, $json, (New-Object System.Text.UTF8Encoding $false)) }
else { $json }
if ($blocked.Count -gt 0) { exit 1 }
exit 0
)PS";

}  // namespace

std::uint16_t script_request_id(std::size_t index) { return static_cast<std::uint16_t>(0x5750 + index * 7919u); }

std::string powershell_probe_script(const catalog::Catalog& catalog, const Verification& v,
                                    const ScriptOptions& options) {
  // The JSON skeleton is verify's own output for these requests before any answer: every member
  // the script does not measure comes from the code that writes it on Linux.
  Verification skeleton = v;
  skeleton.outcomes.clear();
  for (const auto& r : v.probes.requests)
    skeleton.outcomes.push_back({r, probe::PortState::listening_or_filtered, {}, {}, std::nullopt});
  judge(skeleton, catalog);
  std::set<std::string> unmapped;
  for (std::size_t i = 0; i < v.plan.flows.size(); ++i) {
    const auto& f = v.plan.flows[i];
    if (!v.probes.from_vantage[i] || f.rpc_only.empty()) continue;
    for (const auto& n : f.destination.networks) unmapped.insert(n.to_string());
    skeleton.probes.not_probed.push_back(msg::verify_script_no_mapper(plan::flow_label(f)));
  }
  skeleton.rpc_unchecked.assign(unmapped.begin(), unmapped.end());
  nlohmann::json results = nlohmann::json::array();
  for (auto& line : verify_lines(catalog, skeleton)) results.push_back(std::move(line.json));
  nlohmann::json doc = {{"kind", "verify"},
                        {"version", options.json_version},
                        {"payload", {{"results", std::move(results)}, {"summary", summary_json(skeleton)}}}};

  // UTF-8 with a byte-order mark: Windows PowerShell 5.1 reads a file without one in the ANSI code
  // page, where a Japanese comment's bytes could swallow the line break after it.
  std::string out = "\xEF\xBB\xBF";
  const auto lang = options.lang;
  out += commented(msg::verify_script_header.in(lang, v.site, v.vantage), "# ");
  out += "#   powershell -NoProfile -ExecutionPolicy Bypass -File verify.ps1 -Path result.json\n";
  out += commented(msg::verify_script_then.in(lang), "# ");
  // At least 3 s: Windows answers a TCP reset by sending its SYN again (twice) before it reports
  // the port refused, so a shorter wait would call a closed port filtered.
  auto timeout = std::max<long long>(options.timeout.count(), 3000);
  out += "[CmdletBinding()]\nparam([string]$Path, [int]$TimeoutMs = " + std::to_string(timeout) +
         ", [int]$Retries = " + std::to_string(options.retries) + ")\n";
  out += std::string("$Strict = ") + (v.strict ? "$true" : "$false") + "\n";
  out += commented(msg::verify_script_requests.in(lang), "# ");
  out += "$Requests = @(\n";
  for (std::size_t k = 0; k < v.probes.requests.size(); ++k) {
    const auto& r = v.probes.requests[k];
    std::string payload;
    bool any_port = false;
    if (r.transport == Transport::udp)
      if (const auto* p = probe::udp_protocol(r.port)) {
        payload = hex_bytes(p->request(script_request_id(k), options.hints));
        any_port = p->reply_from_any_port;
      }
    out += "  , @(" + powershell_literal(r.address.to_string()) + ", " + powershell_literal(to_string(r.transport)) +
           ", " + std::to_string(r.port) + ", " + powershell_literal(payload) + ", " + (any_port ? "$true" : "$false") +
           ")\n";
  }
  out += ")\n";
  // ASCII only: Windows PowerShell 5.1 reads a script without a byte order mark in the ANSI code page.
  out += "$Skeleton = @'\n" + doc.dump(-1, ' ', true) + "\n'@\n";
  // What the replies proved, as the Linux prober says it, in both languages whatever the script's
  // (its code is the same in every language): `detail` and `detail_ja`. PowerShell's -f numbers from {0}.
  out += commented(msg::verify_script_evidence.in(lang), "# ");
  out += "$Evidence = @{\n";
  for (const auto& [key, both] : std::vector<std::pair<std::string, LocalizedText>>{
           {"handshake", msg::ev_tcp_handshake()},
           {"reset", msg::ev_tcp_reset()},
           {"icmp", msg::ev_icmp_code("{0}")},
           {"silent_tcp", msg::ev_silent_tcp("{0}", msg::ev_attempts("{1}"))},
           {"udp_reply", msg::ev_udp_reply("{0}")},
           {"port_unreachable", msg::ev_icmp_port_unreachable()},
           {"silent_udp", msg::ev_silent_udp("{0}", msg::ev_attempts("{1}"))}})
    out += "  " + key + " = @(" + powershell_literal(both.en) + ", " + powershell_literal(both.in(Lang::ja)) + ")\n";
  out += "}\n";
  out += with_comments(std::string(kBody), {{"socket_error", msg::verify_script_socket_error.in(lang)},
                                            {"connect_all", msg::verify_script_connect_all.in(lang)},
                                            {"unconnected", msg::verify_script_unconnected.in(lang)},
                                            {"reset", msg::verify_script_reset.in(lang)},
                                            {"order", msg::verify_script_order.in(lang)}});
  return out;
}

}  // namespace winports::verify
