// Windows Firewall, netsh advfirewall, as a .cmd script for hosts without PowerShell's NetSecurity
// module (Vista, 7, 2008, 2008 R2). `add rule` has no group parameter, so a run's rules share one
// name, alternating between "winports:SITE:a" and ":b": the new name's rules are added, then the
// old name deleted, so replacing leaves no gap and a failure leaves the previous rules in place.
// Each host jumps to its own label by %COMPUTERNAME%; each merged flow stays one rule (address and
// port lists). The RPC and RPC-EPMap local-port keywords replace the dynamic range.

#include "predefined.hpp"
#include "winports/emit/messages.hpp"

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

// XP and Server 2003 have no advfirewall context: their hosts get no rules, and a warning.
bool has_advfirewall(const Input& in, const plan::Host& h) {
  const auto* os = detail::host_os(in, h);
  if (!os || os->has_host_firewall("netsh-advfirewall")) return true;
  detail::refuse(in, msg::emit_netsh_too_old.in(in.options.lang, h.name, os->names.in(in.options.lang)));
  return false;
}

}  // namespace

Result<std::string> emit_netsh(const Input& in) {
  auto selected = detail::selected_host(in);
  if (!selected) return selected.error();
  const auto& env = in.env;
  const std::string name = batch_value("winports:" + env.site);
  detail::TextOut head, body, kept;
  const auto lang = in.options.lang;
  const auto rem = [](const std::string& text) { return commented(text, "rem ", "\r\n"); };
  head << "@echo off\r\n";
  // The console's code page is switched to UTF-8 before any line that is not ASCII (cmd reads each
  // line in the code page of the moment), and put back as it was at every exit.
  head << "setlocal\r\n";
  head << "for /f \"tokens=2 delims=:.\" %%c in ('chcp') do set /a WP_CODEPAGE=%%c >nul\r\n";
  head << "chcp 65001 >nul\r\n";
  head << rem(msg::netsh_header_title.in(lang, batch_value(env.site)));
  head << rem(msg::netsh_header_run.in(lang, detail::ports_from(in, lang)));
  head << rem(msg::netsh_header_names.in(lang, name));
  head << rem(msg::netsh_header_cannot.in(lang));
  head << "rem   netsh advfirewall set store gpo=\"DOMAIN\\GPO-NAME\"\r\n";
  head << rem(msg::netsh_header_then.in(lang));
  head << "rem   set allprofiles state on\r\n";
  head << "rem   set allprofiles firewallpolicy blockinbound,allowoutbound\r\n";
  head << "rem   set allprofiles settings localfirewallrules disable\r\n";
  head << "rem   set allprofiles logging droppedconnections enable\r\n";
  head << rem(msg::netsh_header_base.in(lang));
  head << "@PREDEFINED@";
  head << "set \"WP_PROFILE=any\"\r\nif not \"%~1\"==\"\" set \"WP_PROFILE=%~1\"\r\n";
  head << "set \"WP_NEW=" << name << ":a\"\r\nset \"WP_OLD=" << name << ":b\"\r\n";
  head << "netsh advfirewall firewall show rule name=\"" << name << ":a\" >nul 2>&1\r\n";
  head << "if not errorlevel 1 (\r\n  set \"WP_NEW=" << name << ":b\"\r\n  set \"WP_OLD=" << name << ":a\"\r\n)\r\n";
  // netsh writes its errors to standard output: each command's output is kept, and shown on failure.
  head << "set \"WP_LOG=%TEMP%\\winports-netsh-%RANDOM%.log\"\r\n";
  int label = 0;
  detail::FlowsByHost reaching(in.plan);
  detail::ReasonTexts reasons(in);
  Memo<const plan::Flow*, std::string> batch_reasons;  // escaped once per flow, as the reasons are said
  detail::PredefinedAnswers predefined_answers(in);
  for (const auto& h : env.hosts) {
    if (*selected && &h != *selected) continue;
    auto rules = detail::host_rules(in, h, reaching);
    if (rules.empty() || !has_advfirewall(in, h)) continue;
    ++label;
    auto predefined = detail::host_predefined(in, h, rules, predefined_answers);
    if (!predefined.superseded.empty() || !predefined.left.empty()) {
      kept << "rem " << msg::netsh_kept.in(lang, batch_value(h.name));
      for (const auto* p : predefined.superseded) kept << " " << batch_value(p->name);
      for (const auto* p : predefined.left) kept << " " << batch_value(p->name);
      kept << "\r\n";
    }
    const auto host = batch_value(h.name);
    head << "if /i \"%COMPUTERNAME%\"==\"" << host << "\" goto host_" << label << "\r\n";
    body << ":host_" << label << "\r\n";
    for (const auto& [f, remote, rule, family] : rules) {
      body << "netsh advfirewall firewall add rule name=\"%WP_NEW%\" description=\"" << batch_value(f->source.name)
           << " -> " << host << ": " << batch_reasons(f, [&, flow = f] { return batch_value(reasons(*flow)); })
           << "\" dir=in action=allow profile=%WP_PROFILE% protocol=" << protocol_value(rule, family);
      if (auto ports = localport_value(rule); !ports.empty()) body << " localport=" << ports;
      if (rule.remote_port) body << " remoteport=" << *rule.remote_port;
      body << " remoteip=";
      for (std::size_t i = 0; i < remote.size(); ++i) body << (i ? "," : "") << remote[i];
      body << " >\"%WP_LOG%\" 2>&1 || goto failed\r\n";
    }
    body << "goto replaced\r\n";
  }
  head << "echo " << msg::script_no_rules.in(lang, "%COMPUTERNAME%", batch_value(env.site)) << "\r\n";
  head << "chcp %WP_CODEPAGE% >nul\r\nexit /b 0\r\n";
  // A first run finds nothing to delete ("No rules match"): not a failure. The unsuffixed name is
  // what earlier versions of this script used.
  std::string tail =
      ":replaced\r\n"
      "netsh advfirewall firewall delete rule name=\"%WP_OLD%\" >nul 2>&1\r\n"
      "netsh advfirewall firewall delete rule name=\"" +
      name +
      "\" >nul 2>&1\r\n"
      "del \"%WP_LOG%\" >nul 2>&1\r\n"
      "chcp %WP_CODEPAGE% >nul\r\n"
      "exit /b 0\r\n"
      ":failed\r\n"
      "type \"%WP_LOG%\" 1>&2\r\n"
      "echo " +
      msg::netsh_refused.in(lang) +
      " 1>&2\r\n"
      "netsh advfirewall firewall delete rule name=\"%WP_NEW%\" >nul 2>&1\r\n"
      "del \"%WP_LOG%\" >nul 2>&1\r\n"
      "chcp %WP_CODEPAGE% >nul\r\n"
      "exit /b 1\r\n";
  auto top = std::move(head).str();
  top.replace(top.find("@PREDEFINED@"), 12, kept.str());
  return top.append(body.str()).append(tail);
}

}  // namespace winports::emit
