#include <algorithm>

#include "winports/emit/emitter.hpp"

namespace winports::emit {

const std::vector<Emitter>& emitters() {
  static const std::vector<Emitter> all = {
      {"nftables", "the site's own table for nft -f (router forward path, or --host input); only site traffic",
       emit_nftables},
      {"iptables", "the site's own IPv4 chains for iptables-restore --noflush (the jump: see iptables-script)",
       emit_iptables},
      {"ip6tables", "the site's own IPv6 chains for ip6tables-restore --noflush", emit_ip6tables},
      {"iptables-script", "sh script: both families' chains restored with --noflush, the jump added once",
       emit_iptables_script},
      {"powershell", "Windows Firewall rules per host (New-NetFirewallRule, RPC/RPCEPMap keywords), re-runnable",
       emit_powershell},
      {"netsh", "Windows Firewall rules per host as a .cmd script (netsh advfirewall), re-runnable", emit_netsh},
      {"asa", "Cisco ASA 9.x object-groups and one extended access list", emit_asa},
      {"azure-nsg", "ARM template: the site's rules in each zone's Azure network security group, in a priority band",
       emit_azure_nsg},
      {"aws-sg", "CloudFormation template: a security group per zone and per class of hosts, with their ingress rules",
       emit_aws_sg},
      {"json", "flows with services, sources (KB or other Microsoft documents), skipped requirements and warnings",
       emit_json},
      {"csv", "one row per flow (RFC 4180), for spreadsheets and change requests", emit_csv},
      {"md", "Markdown: flows table, requirements left out, warnings", emit_markdown},
      {"html", "one self-contained page: zone diagram, zone matrix, searchable rules, left out, warnings", emit_html},
      {"xlsx", "Excel workbook: rules, flows with their sources, the catalog subset (needs -o)", emit_xlsx, true},
  };
  return all;
}

const Emitter* find_emitter(std::string_view name) {
  const auto& all = emitters();
  auto it = std::find_if(all.begin(), all.end(), [&](const Emitter& e) { return e.name == name; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace winports::emit
