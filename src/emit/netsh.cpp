// Windows Firewall, netsh advfirewall, as a .cmd script for hosts without PowerShell's NetSecurity
// module. `add rule` has no group parameter, so every rule carries the same name ("winports:SITE")
// and the script first deletes that name: running it twice gives the same rules. Each host jumps
// to its own label by %COMPUTERNAME%; each merged flow stays one rule (address and port lists).
// The RPC and RPC-EPMap local-port keywords replace the dynamic range, as in the PowerShell output.
#include <sstream>

#include "common.hpp"

namespace winports::emit {
namespace {

// A value for a quoted netsh argument inside a batch file: no double quotes (netsh has no escape
// for them) and percent signs doubled (cmd would expand them).
std::string batch_value(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '"')
      out += '\'';
    else if (ch == '%')
      out += "%%";
    else if (ch == '\r' || ch == '\n')
      out += ' ';
    else
      out += ch;
  }
  return out;
}

std::string protocol_value(const detail::WindowsRule& r, int family) {
  switch (r.transport) {
    case Transport::tcp:
    case Transport::udp:
      return std::string(to_string(r.transport));
    case Transport::icmp:
    case Transport::icmpv6: {
      std::string p = family == 4 ? "icmpv4" : "icmpv6";
      return r.echo ? p + (family == 4 ? ":8,any" : ":128,any") : p;
    }
    default:
      return std::to_string(ip_protocol_number(r.transport));
  }
}

std::string localport_value(const detail::WindowsRule& r) {
  switch (r.keyword) {
    case detail::RpcKeyword::rpc:
      return "RPC";
    case detail::RpcKeyword::endpoint_mapper:
      return "RPC-EPMap";
    default: {
      std::string out;
      for (const auto& p : r.ports) out += (out.empty() ? "" : ",") + p;
      return out;
    }
  }
}

}  // namespace

Result<std::string> emit_netsh(const Input& in) {
  auto selected = detail::selected_host(in);
  if (!selected) return selected.error();
  const auto& env = in.env;
  const std::string name = batch_value("winports:" + env.site);
  std::ostringstream head, body;
  head << "@echo off\r\n";
  head << "rem winports plan for site " << batch_value(env.site)
       << ": Windows Firewall rules (inbound) for each host, for netsh advfirewall.\r\n";
  head << "rem Ports from Microsoft KB 832017. Run as administrator; every rule is named \"" << name
       << "\" and the script deletes that name first, so running it again gives the same rules.\r\n";
  head << "chcp 65001 >nul\r\n";
  head << "netsh advfirewall firewall delete rule name=\"" << name << "\" >nul 2>&1\r\n";
  int label = 0;
  for (const auto& h : env.hosts) {
    if (*selected && &h != *selected) continue;
    auto rules = detail::host_rules(in, h);
    if (rules.empty()) continue;
    ++label;
    head << "if /i \"%COMPUTERNAME%\"==\"" << batch_value(h.name) << "\" goto host_" << label << "\r\n";
    body << ":host_" << label << "\r\n";
    for (const auto& [f, remote, rule] : rules) {
      std::string remoteip;
      for (const auto& r : remote) remoteip += (remoteip.empty() ? "" : ",") + r;
      body << "netsh advfirewall firewall add rule name=\"" << name << "\" description=\""
           << batch_value(f->source.name + " -> " + h.name + ": " + plan::reasons_text(*f, in.catalog, in.options.lang))
           << "\" dir=in action=allow profile=any protocol=" << protocol_value(rule, h.address.family);
      if (auto ports = localport_value(rule); !ports.empty()) body << " localport=" << ports;
      if (rule.remote_port) body << " remoteport=" << *rule.remote_port;
      body << " remoteip=" << remoteip << " >nul || goto failed\r\n";
    }
    body << "goto done\r\n";
  }
  head << "echo winports: no rules for %COMPUTERNAME% in site " << batch_value(env.site) << "\r\n";
  head << "goto done\r\n";
  return head.str() + body.str() +
         ":failed\r\necho winports: netsh refused a rule; see the message above 1>&2\r\nexit /b 1\r\n:done\r\n";
}

}  // namespace winports::emit
