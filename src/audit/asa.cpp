// Cisco ASA `show running-config` as a ruleset: extended access lists (objects, object-groups of
// every kind the audit can decide, named ports, any/any4/any6, remarks, inactive entries), the lists
// bound with access-group per interface and direction and the global one, first match in each, then
// the implicit deny; an interface with no list follows the security levels. The ASA is stateful:
// replies of a permitted connection pass. ACLs match real addresses (8.3 and later), so NAT changes
// the answer only where a zone's addresses are the mapped ones: said once, as a note.
//
// The path a packet takes: the ingress interface is the one whose zone holds its source
// (asa_interface), then the list bound in on it (and the global list); the egress interface is the one
// whose zone holds its destination, then the list bound out on it.
#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <functional>
#include <span>

#include "rule_builder.hpp"
#include "winports/audit/asa_config.hpp"
#include "winports/audit/messages.hpp"
#include "winports/audit/ruleset.hpp"

namespace winports::audit {
namespace {

using asa::Config;

// The ASA's own port names (its command reference, "TCP and UDP ports"): `show running-config` prints
// these instead of the numbers (eq 53 reads "eq domain", and kerberos is 750, not 88).
struct PortName {
  std::string_view name;
  std::uint16_t port;
};
constexpr std::array<PortName, 79> kPortNames{{
    {"aol", 5190},
    {"bgp", 179},
    {"biff", 512},
    {"bootpc", 68},
    {"bootps", 67},
    {"chargen", 19},
    {"cifs", 3020},
    {"citrix-ica", 1494},
    {"cmd", 514},
    {"ctiqbe", 2748},
    {"daytime", 13},
    {"discard", 9},
    {"dnsix", 195},
    {"domain", 53},
    {"echo", 7},
    {"exec", 512},
    {"finger", 79},
    {"ftp", 21},
    {"ftp-data", 20},
    {"gopher", 70},
    {"h323", 1720},
    {"hostname", 101},
    {"http", 80},
    {"https", 443},
    {"ident", 113},
    {"imap4", 143},
    {"irc", 194},
    {"isakmp", 500},
    {"kerberos", 750},
    {"klogin", 543},
    {"kshell", 544},
    {"ldap", 389},
    {"ldaps", 636},
    {"login", 513},
    {"lotusnotes", 1352},
    {"lpd", 515},
    {"mobile-ip", 434},
    {"nameserver", 42},
    {"netbios-dgm", 138},
    {"netbios-ns", 137},
    {"netbios-ssn", 139},
    {"nfs", 2049},
    {"nntp", 119},
    {"ntp", 123},
    {"pcanywhere-data", 5631},
    {"pcanywhere-status", 5632},
    {"pim-auto-rp", 496},
    {"pop2", 109},
    {"pop3", 110},
    {"pptp", 1723},
    {"radius", 1645},
    {"radius-acct", 1646},
    {"rip", 520},
    {"rsh", 514},
    {"rtsp", 554},
    {"secureid-udp", 5510},
    {"sip", 5060},
    {"smtp", 25},
    {"snmp", 161},
    {"snmptrap", 162},
    {"sqlnet", 1521},
    {"ssh", 22},
    {"sunrpc", 111},
    {"syslog", 514},
    {"tacacs", 49},
    {"talk", 517},
    {"telnet", 23},
    {"tftp", 69},
    {"time", 37},
    {"uucp", 540},
    {"vxlan", 4789},
    {"who", 513},
    {"whois", 43},
    {"www", 80},
    {"xdmcp", 177},
    {"rdp", 3389},
    {"lisp", 4342},
    {"nat-t", 4500},
    {"snmp-trap", 162},
}};

// The ASA's ICMP and ICMPv6 type names.
constexpr std::array<std::pair<std::string_view, int>, 19> kIcmpNames{{{"echo-reply", 0},
                                                                       {"unreachable", 3},
                                                                       {"source-quench", 4},
                                                                       {"redirect", 5},
                                                                       {"alternate-address", 6},
                                                                       {"echo", 8},
                                                                       {"router-advertisement", 9},
                                                                       {"router-solicitation", 10},
                                                                       {"time-exceeded", 11},
                                                                       {"parameter-problem", 12},
                                                                       {"timestamp-request", 13},
                                                                       {"timestamp-reply", 14},
                                                                       {"information-request", 15},
                                                                       {"information-reply", 16},
                                                                       {"mask-request", 17},
                                                                       {"mask-reply", 18},
                                                                       {"traceroute", 30},
                                                                       {"conversion-error", 31},
                                                                       {"mobile-redirect", 32}}};
constexpr std::array<std::pair<std::string_view, int>, 14> kIcmp6Names{{{"unreachable", 1},
                                                                        {"packet-too-big", 2},
                                                                        {"time-exceeded", 3},
                                                                        {"parameter-problem", 4},
                                                                        {"echo", 128},
                                                                        {"echo-reply", 129},
                                                                        {"membership-query", 130},
                                                                        {"membership-report", 131},
                                                                        {"membership-reduction", 132},
                                                                        {"router-solicitation", 133},
                                                                        {"router-advertisement", 134},
                                                                        {"neighbor-solicitation", 135},
                                                                        {"neighbor-advertisement", 136},
                                                                        {"neighbor-redirect", 137}}};

std::optional<int> number(std::string_view text) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<std::uint16_t> port_value(std::string_view text) {
  if (auto v = number(text); v && *v >= 0 && *v <= 65535) return static_cast<std::uint16_t>(*v);
  for (const auto& p : kPortNames)
    if (p.name == text) return p.port;
  return std::nullopt;
}

std::optional<int> icmp_value(int protocol, std::string_view text) {
  if (auto v = number(text); v && *v >= 0 && *v <= 255) return v;
  for (const auto& [name, type] : protocol == 58 ? std::span(kIcmp6Names.data(), kIcmp6Names.size())
                                                 : std::span(kIcmpNames.data(), kIcmpNames.size()))
    if (name == text) return type;
  return std::nullopt;
}

// Protocol names the ASA takes beside the numbers: tcp-udp is two, ip every one.
std::optional<ProtocolSet> protocol_value(std::string_view text) {
  ProtocolSet s;
  if (text == "ip") return s.set();
  if (text == "tcp-udp") return s.set(6).set(17);
  static constexpr std::array<std::pair<std::string_view, int>, 10> kAsaNames{{{"icmp6", 58},
                                                                               {"ipsec", 50},
                                                                               {"pptp", 47},
                                                                               {"ipinip", 4},
                                                                               {"igrp", 9},
                                                                               {"nos", 94},
                                                                               {"pcp", 108},
                                                                               {"pim", 103},
                                                                               {"snp", 109},
                                                                               {"eigrp", 88}}};
  for (auto [name, value] : kAsaNames)
    if (name == text) return s.set(static_cast<std::size_t>(value));
  int n = protocol_number(text);
  if (n < 0) return std::nullopt;
  return s.set(static_cast<std::size_t>(n));
}

// One service an ACE or a service object-group permits: protocols with their ports or ICMP types.
struct Service {
  ProtocolSet protocols;
  PortSet source = all_ports();
  PortSet destination = all_ports();
  bool ports = false;  // the ports narrow (the protocols are then the port-carrying ones)
  std::optional<std::pair<int, TypeSet>> icmp = std::nullopt;
};

Service of_protocols(const ProtocolSet& protocols) {
  Service s;
  s.protocols = protocols;
  return s;
}

struct Words {
  std::vector<std::string> w;
  std::size_t at = 0;
  [[nodiscard]] bool done() const { return at >= w.size(); }
  [[nodiscard]] const std::string& peek() const {
    static const std::string kEnd;
    return done() ? kEnd : w[at];
  }
  const std::string& next() {
    const auto& v = peek();
    if (!done()) ++at;
    return v;
  }
};

class Reader {
 public:
  Reader(const Config& config, const AsaInterfaces& interfaces) : c_(config), interfaces_(interfaces) {}

  Result<Ruleset> read() {
    out_.files.push_back(c_.file);
    out_.covers_ipv4 = out_.covers_ipv6 = true;  // unified IPv4/IPv6 access lists (9.x)
    notes();
    // Every list, bound or not: a list the configuration holds is read (and its errors said) whether
    // or not an access-group uses it today.
    for (const auto& l : c_.lists) {
      auto status = list(l.name);
      if (!status) return status.error();
    }
    for (const auto& g : c_.groups)
      if (!c_.list(g.list)) return Error{c_.file, g.line.number, 0, g.list, msg::asa_no_list(g.list)};
    auto status = paths();
    if (!status) return status.error();
    return std::move(out_);
  }

 private:
  static std::string list_chain(const std::string& name) { return "access-list " + name; }

  Error bad(int line, const std::string& field, const std::string& value, Msg noun) const {
    return Error{c_.file, line, 0, field, msg::value_is_not(value, said(noun))};
  }

  void notes() {
    for (const auto& l : c_.other)
      if (l.text.rfind("nat ", 0) == 0)
        out_.notes.push_back({Location{c_.file, l.number, ""}, msg::asa_nat_note(std::to_string(l.number))});
    for (const auto& o : c_.objects)
      for (const auto& m : o.members)
        if (m.text.rfind("nat ", 0) == 0)
          out_.notes.push_back({Location{c_.file, m.number, ""}, msg::asa_nat_note(std::to_string(m.number))});
  }

  // ---- objects ----------------------------------------------------------------------------------

  Result<const asa::Object*> object(int line, const std::string& name, std::string_view kind) const {
    const auto* o = c_.object(name);
    if (!o) return Error{c_.file, line, 0, name, msg::asa_no_object(name)};
    if (o->kind.find(kind) == std::string::npos)
      return Error{c_.file, line, 0, name, msg::asa_object_kind(name, o->kind, std::string(kind))};
    return o;
  }

  struct Addresses {
    AddressSet set;
    LocalizedText unsupported;
  };

  // A network object's or group's addresses; nested groups once each (a loop is an error).
  Result<Addresses> network(int line, const std::string& name, int depth = 0) const {
    if (depth > 16) return Error{c_.file, line, 0, name, msg::asa_nesting(name)};
    auto o = object(line, name, "network");
    if (!o) return o.error();
    Addresses out;
    for (const auto& m : (*o)->members) {
      Words w{split_list(m.text, ' ')};
      auto head = w.next();
      if (head == "network-object" || head == "host" || head == "subnet" || head == "range") {
        if (head == "network-object" && (w.peek() == "object")) {
          w.next();
          auto inner = network(m.number, w.next(), depth + 1);
          if (!inner) return inner.error();
          out.set = out.set.unite(inner->set);
          if (out.unsupported.empty()) out.unsupported = inner->unsupported;
          continue;
        }
        if (head == "range") {
          auto a = parse_address_value(w.next() + "-" + w.peek());
          if (!a) return bad(m.number, name, m.text, msg::noun_address_range);
          out.set = out.set.unite(*a);
          continue;
        }
        auto a = address(m.number, w, head == "host" || (head == "network-object" && w.peek() == "host"));
        if (!a) return a.error();
        out.set = out.set.unite(a->set);
      } else if (head == "group-object") {
        auto inner = network(m.number, w.next(), depth + 1);
        if (!inner) return inner.error();
        out.set = out.set.unite(inner->set);
        if (out.unsupported.empty()) out.unsupported = inner->unsupported;
      } else if (head == "fqdn") {
        out.unsupported = msg::asa_unsupported_fqdn(name);
      }
      // description, nat …: not addresses
    }
    return out;
  }

  // "host A", "A MASK", "A/len" or "A" (after the keyword that introduced it).
  Result<Addresses> address(int line, Words& w, bool host) const {
    if (w.peek() == "host") w.next();
    auto a = w.next();
    if (host) {
      auto n = parse_network(a);
      if (!n) return bad(line, "address", a, msg::asa_noun_address);
      return Addresses{AddressSet::of(*n), {}};
    }
    if (a.find(':') != std::string::npos || a.find('/') != std::string::npos) {
      auto n = parse_network(a);
      if (!n) return bad(line, "address", a, msg::asa_noun_address);
      return Addresses{AddressSet::of(*n), {}};
    }
    auto mask = parse_network(w.peek());
    auto n = parse_network(a);
    if (!n || !mask || mask->family != 4) return bad(line, "address", a, msg::asa_noun_address);
    w.next();
    std::uint32_t m = 0;
    for (int i = 0; i < 4; ++i) m = (m << 8) | mask->bytes[static_cast<std::size_t>(i)];
    int prefix = std::popcount(m);
    if (prefix != 32 && (m << prefix) != 0) return bad(line, "mask", mask->to_string(), msg::asa_bad_mask);
    auto net = parse_network(a + "/" + std::to_string(prefix));
    if (!net) return bad(line, "address", a, msg::asa_noun_address);
    return Addresses{AddressSet::of(*net), {}};
  }

  // An ACE's source or destination.
  Result<Addresses> address_spec(int line, Words& w) const {
    auto head = w.next();
    if (head == "any") return Addresses{AddressSet::all(), {}};
    if (head == "any4") return Addresses{AddressSet::all_of(4), {}};
    if (head == "any6") return Addresses{AddressSet::all_of(6), {}};
    if (head == "host") return address(line, w, true);
    if (head == "object" || head == "object-group") return network(line, w.next());
    if (head == "interface") {
      auto name = w.next();
      return Addresses{AddressSet::all(), msg::asa_unsupported_interface(name)};
    }
    if (head.empty()) return Error{c_.file, line, 0, "address", msg::asa_expected("an address", "access-list")};
    --w.at;
    return address(line, w, false);
  }

  // "eq P", "neq P", "lt P", "gt P", "range A B".
  Result<PortSet> port_operator(int line, Words& w) const {
    auto op = w.next();
    auto value = [&]() -> Result<std::uint16_t> {
      auto text = w.next();
      auto p = port_value(text);
      if (!p) return bad(line, op, text, msg::asa_noun_port);
      return *p;
    };
    auto a = value();
    if (!a) return a.error();
    if (op == "eq") return PortSet{PortRange{*a, *a}};
    if (op == "neq") return all_ports().subtract(PortSet{PortRange{*a, *a}});
    if (op == "lt") return *a == 0 ? PortSet{} : PortSet{PortRange{0, static_cast<std::uint16_t>(*a - 1)}};
    if (op == "gt") return *a == 65535 ? PortSet{} : PortSet{PortRange{static_cast<std::uint16_t>(*a + 1), 65535}};
    auto b = value();
    if (!b) return b.error();
    return PortSet{PortRange{std::min(*a, *b), std::max(*a, *b)}};
  }

  static bool is_port_operator(std::string_view w) {
    return w == "eq" || w == "neq" || w == "lt" || w == "gt" || w == "range";
  }

  // A service group of port-objects (`object-group service X tcp`): its ports, nested ones included.
  Result<PortSet> port_group(int line, const std::string& name, int depth = 0) const {
    if (depth > 16) return Error{c_.file, line, 0, name, msg::asa_nesting(name)};
    auto o = object(line, name, "service");
    if (!o) return o.error();
    PortSet out;
    for (const auto& m : (*o)->members) {
      Words w{split_list(m.text, ' ')};
      auto head = w.next();
      if (head == "port-object") {
        auto p = port_operator(m.number, w);
        if (!p) return p.error();
        out = out.unite(*p);
      } else if (head == "group-object") {
        auto inner = port_group(m.number, w.next(), depth + 1);
        if (!inner) return inner.error();
        out = out.unite(*inner);
      }
    }
    return out;
  }

  // "tcp [source OP] [destination OP]", "tcp OP" (destination), "icmp [TYPE [CODE]]", "ip", "47".
  Result<Service> service_words(int line, Words& w) const {
    auto proto = w.next();
    auto p = protocol_value(proto);
    if (!p) return bad(line, "protocol", proto, msg::noun_protocol);
    Service s = of_protocols(*p);
    if (proto == "icmp" || proto == "icmp6") {
      int number = proto == "icmp" ? 1 : 58;
      if (!w.done() && w.peek() != "source" && w.peek() != "destination") {
        auto t = icmp_value(number, w.next());
        if (!t) return bad(line, "icmp", w.w[w.at - 1], msg::noun_icmp_type);
        TypeSet types;
        types.set(static_cast<std::size_t>(*t));
        s.icmp = {number, types};
      }
      return s;
    }
    while (!w.done()) {
      bool source = w.peek() == "source";
      if (source || w.peek() == "destination") w.next();
      if (!is_port_operator(w.peek())) break;
      auto ports = port_operator(line, w);
      if (!ports) return ports.error();
      (source ? s.source : s.destination) = *ports;
      s.ports = true;
    }
    return s;
  }

  // The services of a service object or group (service-object, port-object with the group's
  // protocol, object and group references).
  Result<std::vector<Service>> services(int line, const std::string& name, int depth = 0) const {
    if (depth > 16) return Error{c_.file, line, 0, name, msg::asa_nesting(name)};
    auto o = object(line, name, "service");
    if (!o) return o.error();
    std::vector<Service> out;
    auto header = split_list((*o)->head.text, ' ');
    std::string group_protocol = header.size() > 3 ? header[3] : "";
    for (const auto& m : (*o)->members) {
      Words w{split_list(m.text, ' ')};
      auto head = w.next();
      if ((head == "service-object" && w.peek() == "object") || head == "group-object") {
        if (head == "service-object") w.next();
        auto inner = services(m.number, w.next(), depth + 1);
        if (!inner) return inner.error();
        out.insert(out.end(), inner->begin(), inner->end());
      } else if (head == "service-object" || head == "service") {
        auto s = service_words(m.number, w);
        if (!s) return s.error();
        out.push_back(*s);
      } else if (head == "port-object") {
        auto p = protocol_value(group_protocol.empty() ? "tcp-udp" : group_protocol);
        auto ports = port_operator(m.number, w);
        if (!p || !ports) return ports ? bad(m.number, name, group_protocol, msg::noun_protocol) : ports.error();
        Service s = of_protocols(*p);
        s.destination = *ports;
        s.ports = true;
        out.push_back(s);
      }
    }
    return out;
  }

  Result<ProtocolSet> protocol_group(int line, const std::string& name, int depth = 0) const {
    if (depth > 16) return Error{c_.file, line, 0, name, msg::asa_nesting(name)};
    auto o = object(line, name, "protocol");
    if (!o) return o.error();
    ProtocolSet out;
    for (const auto& m : (*o)->members) {
      Words w{split_list(m.text, ' ')};
      auto head = w.next();
      if (head == "protocol-object") {
        auto p = protocol_value(w.next());
        if (!p) return bad(m.number, name, m.text, msg::noun_protocol);
        out |= *p;
      } else if (head == "group-object") {
        auto inner = protocol_group(m.number, w.next(), depth + 1);
        if (!inner) return inner.error();
        out |= *inner;
      }
    }
    return out;
  }

  Result<TypeSet> icmp_group(int line, int protocol, const std::string& name, int depth = 0) const {
    if (depth > 16) return Error{c_.file, line, 0, name, msg::asa_nesting(name)};
    auto o = object(line, name, "icmp-type");
    if (!o) return o.error();
    TypeSet out;
    for (const auto& m : (*o)->members) {
      Words w{split_list(m.text, ' ')};
      auto head = w.next();
      if (head == "icmp-object") {
        auto t = icmp_value(protocol, w.next());
        if (!t) return bad(m.number, name, m.text, msg::noun_icmp_type);
        out.set(static_cast<std::size_t>(*t));
      } else if (head == "group-object") {
        auto inner = icmp_group(m.number, protocol, w.next(), depth + 1);
        if (!inner) return inner.error();
        out |= *inner;
      }
    }
    return out;
  }

  // ---- access lists -----------------------------------------------------------------------------

  Status list(const std::string& name) {
    Chain chain{list_chain(name), {}};
    const auto* l = c_.list(name);
    if (!l) return Error{c_.file, 0, 0, name, msg::asa_no_list(name)};
    for (std::size_t i = 0; i < l->entries.size(); ++i) {
      const auto& e = l->entries[i];
      Location where{c_.file, e.number, e.number ? "" : "access-list " + name + " line " + std::to_string(i + 1)};
      auto status = entry(chain, where, "access-list " + name + " " + e.text, e.text);
      if (!status) return status;
    }
    out_.chains.emplace(chain.name, std::move(chain));
    return ok_status();
  }

  Status entry(Chain& chain, const Location& where, const std::string& text, const std::string& entry_text) {
    Words w{split_list(entry_text, ' ')};
    auto kind = w.next();
    if (kind == "remark" || kind == "standard" || kind == "webtype" || kind == "ethertype") return ok_status();
    if (kind != "extended") --w.at;
    auto action = w.next();
    if (action != "permit" && action != "deny") return bad(where.line, "access-list", action, msg::asa_noun_action);
    // Options at the end (log …, time-range, inactive) are read first: they may stand anywhere after
    // the addresses and ports.
    LocalizedText unsupported;
    for (std::size_t i = w.at; i < w.w.size(); ++i) {
      if (w.w[i] == "inactive") return ok_status();  // an inactive entry matches nothing
      if (w.w[i] == "time-range" && i + 1 < w.w.size()) unsupported = msg::asa_unsupported_time(w.w[i + 1]);
    }
    // The protocol: a name or number, a service object or group, a protocol group.
    std::vector<Service> services;
    bool ports_follow = false;
    int icmp_protocol = 0;
    auto proto = w.next();
    if (proto == "object" || proto == "object-group") {
      auto name = w.next();
      const auto* o = c_.object(name);
      if (o && o->kind == "object-group protocol") {
        auto p = protocol_group(where.line, name);
        if (!p) return p.error();
        services.push_back(of_protocols(*p));
        ports_follow = ((*p) & ~port_protocols()).none();
      } else {
        auto s = this->services(where.line, name);
        if (!s) return s.error();
        services = std::move(*s);
      }
    } else {
      auto p = protocol_value(proto);
      if (!p) return bad(where.line, "protocol", proto, msg::noun_protocol);
      services.push_back(of_protocols(*p));
      ports_follow = ((*p) & ~port_protocols()).none();
      if (proto == "icmp") icmp_protocol = 1;
      if (proto == "icmp6") icmp_protocol = 58;
    }
    // Users and security groups before the source: not addresses.
    while (w.peek() == "user" || w.peek() == "user-group" || w.peek() == "object-group-user" ||
           w.peek() == "security-group" || w.peek() == "object-group-security") {
      auto what = w.next();
      if (what == "security-group") w.next();  // "name X" or "tag N"
      if (unsupported.empty()) unsupported = msg::asa_unsupported_user(what + " " + w.peek());
      w.next();
    }
    auto source = address_spec(where.line, w);
    if (!source) return source.error();
    std::optional<PortSet> source_ports, destination_ports;
    auto port_spec = [&](std::optional<PortSet>& into) -> Status {
      if (!ports_follow) return ok_status();
      if (is_port_operator(w.peek())) {
        auto p = port_operator(where.line, w);
        if (!p) return p.error();
        into = *p;
      } else if (w.peek() == "object-group") {
        const auto* o = c_.object(w.w.size() > w.at + 1 ? w.w[w.at + 1] : "");
        if (o && o->kind == "object-group service") {
          w.next();
          auto p = port_group(where.line, w.next());
          if (!p) return p.error();
          into = *p;
        }
      }
      return ok_status();
    };
    auto status = port_spec(source_ports);
    if (!status) return status;
    while (w.peek() == "security-group" || w.peek() == "object-group-security") {
      auto what = w.next();
      if (what == "security-group") w.next();
      if (unsupported.empty()) unsupported = msg::asa_unsupported_user(what + " " + w.peek());
      w.next();
    }
    auto destination = address_spec(where.line, w);
    if (!destination) return destination.error();
    status = port_spec(destination_ports);
    if (!status) return status;
    std::optional<TypeSet> icmp_types;
    if (icmp_protocol && !w.done() && w.peek() != "log" && w.peek() != "time-range" && w.peek() != "inactive") {
      if (w.peek() == "object-group") {
        w.next();
        auto t = icmp_group(where.line, icmp_protocol, w.next());
        if (!t) return t.error();
        icmp_types = *t;
      } else {
        auto t = icmp_value(icmp_protocol, w.peek());
        if (!t) return bad(where.line, "icmp", w.peek(), msg::noun_icmp_type);
        w.next();
        icmp_types = TypeSet().set(static_cast<std::size_t>(*t));
      }
    }
    if (unsupported.empty()) unsupported = source->unsupported;
    if (unsupported.empty()) unsupported = destination->unsupported;

    for (const auto& s : services) {
      RuleBuilder b;
      b.addresses(true, source->set, false);
      b.addresses(false, destination->set, false);
      b.protocols(s.protocols, false);
      if (s.ports) {
        b.ports(true, s.source, false, port_protocols());
        b.ports(false, s.destination, false, port_protocols());
      }
      if (source_ports) b.ports(true, *source_ports, false, port_protocols());
      if (destination_ports) b.ports(false, *destination_ports, false, port_protocols());
      if (s.icmp) b.icmp_types(s.icmp->first, s.icmp->second, false);
      if (icmp_types) b.icmp_types(icmp_protocol, *icmp_types, false);
      if (!unsupported.empty()) b.unsupported(unsupported);
      b.verdict(action == "permit" ? Verdict::accept : Verdict::drop);
      chain.rules.push_back(b.finish(where, text));
    }
    return ok_status();
  }

  // ---- the path ---------------------------------------------------------------------------------

  Rule rule(const Cube& match, Verdict verdict, const std::string& where, std::string target = "",
            LocalizedText unsupported = {}) const {
    return made_rule(c_.file, match, verdict, where, std::move(target), std::move(unsupported));
  }

  static Cube established() {
    Cube c;
    c.states = static_cast<std::uint8_t>(CtState::established) | static_cast<std::uint8_t>(CtState::related);
    return c;
  }

  int level(const std::string& nameif) const {
    const auto* i = c_.interface(nameif);
    return i ? i->security_level : 0;
  }

  // The chain a packet arriving on `iface` goes through: its list, the global list, the security levels.
  void ingress_chain(const std::string& iface, const std::string& chain_name) {
    Chain chain{chain_name, {}};
    const auto* in = c_.binding(iface, "in");
    const auto* global = c_.binding("", "global");
    if (in)
      chain.rules.push_back(
          rule(Cube{}, Verdict::jump, "access-group " + in->list + " in interface " + iface, list_chain(in->list)));
    if (global)
      chain.rules.push_back(
          rule(Cube{}, Verdict::jump, "access-group " + global->list + " global", list_chain(global->list)));
    if (!in && !global && !iface.empty()) {
      out_.notes.push_back({Location{c_.file, 0, ""}, msg::asa_security_levels(iface)});
      AddressSet known;
      for (const auto& [other, nets] : interfaces_.networks) {
        known = known.unite(nets);
        bool lower = level(other) < level(iface) ||
                     (other != iface && level(other) == level(iface) && c_.same_security_inter) ||
                     (other == iface && c_.same_security_intra);
        if (!lower) continue;
        Cube to;
        to.destination = nets;
        chain.rules.push_back(rule(to, Verdict::accept,
                                   "security-level " + std::to_string(level(iface)) + " (" + iface + ") > " +
                                       std::to_string(level(other)) + " (" + other + ")"));
      }
      Cube elsewhere;
      elsewhere.destination = known.complement();
      chain.rules.push_back(rule(elsewhere, Verdict::drop, "security-level", "", msg::asa_not_behind_interface()));
    }
    out_.chains.emplace(chain_name, std::move(chain));
  }

  Status paths() {
    Chain ingress{"asa ingress", {}};
    ingress.rules.push_back(rule(established(), Verdict::accept, "stateful: replies of permitted connections"));
    std::vector<std::string> bound;
    for (const auto& g : c_.groups)
      if (g.direction == "in") bound.push_back(g.interface);
    if (interfaces_.networks.empty()) {
      if (bound.size() == 1 || (bound.empty() && c_.binding("", "global"))) {
        auto iface = bound.empty() ? std::string() : bound.front();
        out_.notes.push_back({Location{c_.file, 0, ""}, msg::asa_assumed_interface(iface.empty() ? "global" : iface)});
        ingress_chain(iface, "asa in " + iface);
        ingress.rules.push_back(rule(Cube{}, Verdict::go_to, "interface " + iface, "asa in " + iface));
      } else {
        ingress.rules.push_back(rule(Cube{}, Verdict::drop, "access-group", "",
                                     msg::asa_no_interface_named(bound.empty() ? "-" : join(bound, ", "))));
      }
    } else {
      for (const auto& [iface, nets] : interfaces_.networks) {
        if (!c_.interface(iface)) out_.notes.push_back({Location{c_.file, 0, ""}, msg::asa_unknown_interface(iface)});
        ingress_chain(iface, "asa in " + iface);
        Cube from;
        from.source = nets;
        ingress.rules.push_back(rule(from, Verdict::go_to, "interface " + iface, "asa in " + iface));
      }
      ingress.rules.push_back(rule(Cube{}, Verdict::drop, "interface", "", msg::asa_not_behind_interface()));
    }
    out_.chains.emplace(ingress.name, std::move(ingress));
    out_.stages.push_back(Stage{"asa ingress", false, true, true, false});

    // Egress: the list bound out on the interface the destination is behind; its own implicit deny.
    Chain egress{"asa egress", {}};
    egress.rules.push_back(rule(established(), Verdict::accept, "stateful: replies of permitted connections"));
    for (const auto& g : c_.groups) {
      if (g.direction != "out") continue;
      auto nets = interfaces_.networks.find(g.interface);
      if (nets == interfaces_.networks.end()) continue;
      Chain out{"asa out " + g.interface, {}};
      out.rules.push_back(rule(Cube{}, Verdict::jump, g.line.text, list_chain(g.list)));
      out.rules.push_back(rule(Cube{}, Verdict::drop, "implicit deny of access-list " + g.list));
      out_.chains.emplace(out.name, std::move(out));
      Cube to;
      to.destination = nets->second;
      egress.rules.push_back(rule(to, Verdict::go_to, "interface " + g.interface, "asa out " + g.interface));
    }
    out_.chains.emplace(egress.name, std::move(egress));
    out_.stages.push_back(Stage{"asa egress", true, true, true, false});
    return ok_status();
  }

  const Config& c_;
  const AsaInterfaces& interfaces_;
  Ruleset out_;
};

}  // namespace

Result<Ruleset> read_asa(const std::string& file, const std::string& text, const AsaInterfaces& interfaces) {
  auto config = asa::parse_config(file, text);
  if (!config) return config.error();
  return read_asa_config(*config, interfaces);
}

Result<Ruleset> read_asa_config(const asa::Config& config, const AsaInterfaces& interfaces) {
  return Reader(config, interfaces).read();
}

}  // namespace winports::audit
