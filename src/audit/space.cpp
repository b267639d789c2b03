#include "winports/audit/space.hpp"

#include <array>
#include <utility>

namespace winports::audit {

ProtocolSet port_protocols() {
  ProtocolSet p;
  for (int n : {6, 17, 33, 132, 136}) p.set(static_cast<std::size_t>(n));
  return p;
}

PortSet all_ports() { return PortSet{{0, 65535}}; }

bool Cube::empty() const {
  return source.empty() || destination.empty() || protocols.none() || source_ports.empty() ||
         destination_ports.empty() || icmp_types.none() || states == 0;
}

Cube intersect(const Cube& a, const Cube& b) {
  Cube c;
  c.protocols = a.protocols & b.protocols;
  c.icmp_types = a.icmp_types & b.icmp_types;
  c.states = a.states & b.states;
  if (c.protocols.none() || c.icmp_types.none() || c.states == 0) return Cube{{}, {}, {}, {}, {}, {}, 0};
  c.source_ports = a.source_ports.intersect(b.source_ports);
  c.destination_ports = a.destination_ports.intersect(b.destination_ports);
  c.destination = a.destination.intersect(b.destination);
  c.source = a.source.intersect(b.source);
  return c;
}

bool overlaps(const Cube& a, const Cube& b) {
  // Cheapest fields first: most rule pairs differ in protocol, state or destination.
  return (a.protocols & b.protocols).any() && (a.states & b.states) != 0 && (a.icmp_types & b.icmp_types).any() &&
         a.destination.overlaps(b.destination) && a.source.overlaps(b.source) &&
         a.destination_ports.overlaps(b.destination_ports) && a.source_ports.overlaps(b.source_ports);
}

std::vector<Cube> subtract(const Cube& a, const Cube& b) {
  if (a.empty()) return {};
  if (!overlaps(a, b)) return {a};
  // Peel one field at a time: the part of `a` outside b in that field, with the fields before it
  // already narrowed to b's. The pieces are disjoint and together are a \ b.
  // `rest` (a narrowed to b field by field) meets b, so no field of it is empty: a piece is empty
  // exactly when its own field is, and is copied from `rest` only when it is not (copying a cube
  // is six allocations, and most fields of most pairs peel nothing).
  std::vector<Cube> out;
  Cube rest = a;
  auto peel = [&](auto Cube::*field, auto outside) {
    if constexpr (requires { outside.empty(); }) {
      if (outside.empty()) return;  // nothing of this field outside b
    } else if (outside == decltype(outside){}) {
      return;
    }
    out.push_back(rest);
    out.back().*field = std::move(outside);
  };
  peel(&Cube::protocols, rest.protocols & ~b.protocols);
  rest.protocols &= b.protocols;
  peel(&Cube::states, static_cast<std::uint8_t>(rest.states & ~b.states));
  rest.states &= b.states;
  peel(&Cube::icmp_types, rest.icmp_types & ~b.icmp_types);
  rest.icmp_types &= b.icmp_types;
  peel(&Cube::destination_ports, rest.destination_ports.subtract(b.destination_ports));
  rest.destination_ports = rest.destination_ports.intersect(b.destination_ports);
  peel(&Cube::source_ports, rest.source_ports.subtract(b.source_ports));
  rest.source_ports = rest.source_ports.intersect(b.source_ports);
  peel(&Cube::destination, rest.destination.subtract(b.destination));
  rest.destination = rest.destination.intersect(b.destination);
  peel(&Cube::source, rest.source.subtract(b.source));
  return out;
}

std::vector<Cube> subtract_all(std::vector<Cube> from, const std::vector<Cube>& minus) {
  std::vector<Cube> next;
  for (const auto& m : minus) {
    if (from.empty()) break;
    next.clear();
    for (auto& c : from) {
      if (!overlaps(c, m)) {
        next.push_back(std::move(c));
        continue;
      }
      for (auto& piece : subtract(c, m)) next.push_back(std::move(piece));
    }
    std::swap(from, next);
  }
  return from;
}

bool covered(const Cube& a, const std::vector<const Cube*>& cover) {
  if (a.empty()) return true;
  // What the union must hold field by field, state by state, before any cube is split: for new
  // packets a conntrack rule for replies is no cover, and most candidate covers (rules from other
  // sources, for other protocols) fail here.
  for (std::uint8_t state = 1; state < 32; state <<= 1) {
    if (!(a.states & state)) continue;
    ProtocolSet protocols;
    TypeSet types;
    AddressSet sources, destinations;
    for (const Cube* m : cover) {
      if (!(m->states & state)) continue;
      protocols |= m->protocols, types |= m->icmp_types;
      if (!m->source.overlaps(a.source) || !m->destination.overlaps(a.destination)) continue;
      sources = sources.unite(m->source), destinations = destinations.unite(m->destination);
    }
    if ((a.protocols & ~protocols).any() || (a.icmp_types & ~types).any()) return false;
    if (!sources.includes(a.source) || !destinations.includes(a.destination)) return false;
  }
  std::vector<Cube> rest{a}, next;
  for (const Cube* m : cover) {
    next.clear();
    for (auto& c : rest) {
      if (!overlaps(c, *m)) {
        next.push_back(std::move(c));  // untouched: moved, not copied
        continue;
      }
      for (auto& piece : subtract(c, *m)) next.push_back(std::move(piece));
    }
    std::swap(rest, next);
    if (rest.empty()) return true;
  }
  return rest.empty();
}

namespace {
// The names iptables-save and nft print (and /etc/protocols has); kept here so a reading never
// depends on the machine's /etc/protocols.
constexpr std::array<std::pair<int, std::string_view>, 13> kProtocols{{{1, "icmp"},
                                                                       {2, "igmp"},
                                                                       {4, "ipencap"},
                                                                       {6, "tcp"},
                                                                       {17, "udp"},
                                                                       {33, "dccp"},
                                                                       {41, "ipv6"},
                                                                       {47, "gre"},
                                                                       {50, "esp"},
                                                                       {51, "ah"},
                                                                       {58, "ipv6-icmp"},
                                                                       {132, "sctp"},
                                                                       {136, "udplite"}}};
}  // namespace

std::string protocol_name(int number) {
  for (auto [n, name] : kProtocols)
    if (n == number) return std::string(name);
  return std::to_string(number);
}

int protocol_number(std::string_view name) {
  if (name == "icmpv6") return 58;
  for (auto [n, known] : kProtocols)
    if (known == name) return n;
  int value = 0;
  if (name.empty() || name.size() > 3) return -1;
  for (char ch : name) {
    if (ch < '0' || ch > '9') return -1;
    value = value * 10 + (ch - '0');
  }
  return value <= 255 ? value : -1;
}

}  // namespace winports::audit
