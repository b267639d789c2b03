#include "winports/analyze/flows.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "rpc_watch.hpp"
#include "winports/catalog/query.hpp"

namespace winports::analyze {
namespace {

constexpr std::uint16_t kEndpointMapperPort = 135;

// A connection, both directions: addresses and ports ordered so that each side has one slot.
struct Key {
  std::array<std::uint8_t, 16> address[2];
  std::uint16_t port[2];
  std::uint8_t protocol;
  std::uint8_t family;
  bool operator==(const Key& o) const {
    return std::memcmp(address, o.address, sizeof address) == 0 && port[0] == o.port[0] && port[1] == o.port[1] &&
           protocol == o.protocol && family == o.family;
  }
};

struct KeyHash {
  std::size_t operator()(const Key& k) const {
    // Two 64-bit words of each address (an IPv4 address is zero past its 4 bytes) and the ports,
    // mixed by multiplication: far cheaper per packet than a byte-wise hash.
    auto word = [](const std::array<std::uint8_t, 16>& a, std::size_t at) {
      std::uint64_t w;
      std::memcpy(&w, a.data() + at, 8);
      return w;
    };
    std::uint64_t h =
        (std::uint64_t{k.port[0]} << 32 | std::uint64_t{k.port[1]} << 16 | k.protocol) + 0x9e3779b97f4a7c15ull;
    for (auto w : {word(k.address[0], 0), word(k.address[0], 8), word(k.address[1], 0), word(k.address[1], 8)})
      h = (h ^ w) * 0xff51afd7ed558ccdull, h ^= h >> 32;
    return h;
  }
};

constexpr std::int8_t kNobody = -1;

struct Connection {
  std::uint64_t packets = 0, bytes = 0;
  double first = 0, last = 0;
  std::int8_t first_from = kNobody, syn_from = kNobody, syn_ack_from = kNobody, bind_from = kNobody,
              echo_from = kNobody, client_by_log = kNobody;
  std::uint64_t dropped = 0;
  std::int32_t bound_interface = -1;              // index into State::interfaces
  std::unique_ptr<MapperStream> endpoint_mapper;  // the side on 135, of a connection to it
};

struct Mapping {
  std::uint8_t family;
  std::array<std::uint8_t, 16> client, server;
  std::uint16_t port;
  std::int32_t interface;
  double time;
};

Network network(int family, const std::array<std::uint8_t, 16>& bytes) {
  Network n;
  n.family = family;
  n.bytes = bytes;
  n.prefix = family == 4 ? 32 : 128;
  return n;
}

std::optional<Transport> transport_of(std::uint8_t protocol) {
  switch (protocol) {
    case 6:
      return Transport::tcp;
    case 17:
      return Transport::udp;
    case 1:
      return Transport::icmp;
    case 58:
      return Transport::icmpv6;
    case 47:
      return Transport::gre;
    case 50:
      return Transport::esp;
    case 51:
      return Transport::ah;
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(DecidedBy d) {
  switch (d) {
    case DecidedBy::log:
      return "log";
    case DecidedBy::syn:
      return "syn";
    case DecidedBy::rpc_bind:
      return "rpc-bind";
    case DecidedBy::catalog_port:
      return "catalog-port";
    case DecidedBy::first_packet:
      return "first-packet";
  }
  return "?";
}

struct FlowTable::State {
  // Connections kept side by side in the order they began, found through an index: the table is
  // walked once at the end, and nodes scattered over the heap made that walk a tenth of an analysis.
  std::vector<std::pair<Key, Connection>> connections;
  std::unordered_map<Key, std::uint32_t, KeyHash> index;
  std::vector<std::string> interfaces;  // UUIDs seen in binds and endpoint-mapper replies
  std::unordered_map<std::string, std::int32_t> interface_index;
  std::vector<Mapping> mappings;
  Summary summary;
  // The connection of the previous packet: packets come in bursts, and this spares the lookup.
  Key last_key{};
  std::uint32_t last = kNone;
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};

  State() { index.reserve(1 << 14); }

  std::int32_t intern(const std::string& uuid) {
    auto [it, added] = interface_index.try_emplace(uuid, static_cast<std::int32_t>(interfaces.size()));
    if (added) interfaces.push_back(uuid);
    return it->second;
  }

  void watch_bind(Connection& c, int side, std::span<const std::uint8_t> payload) {
    if (c.bind_from != kNobody) return;
    auto uuid = bound_interface(payload);
    if (!uuid) return;
    c.bind_from = static_cast<std::int8_t>(side);
    c.bound_interface = intern(*uuid);
    ++summary.rpc_binds;
  }

  // Bytes from the endpoint mapper (the side on 135) to its client: each complete reply's endpoints.
  void watch_endpoint_mapper(const Key& k, Connection& c, int mapper_side, const Packet& p) {
    if (p.payload.empty()) return;
    if (!c.endpoint_mapper) c.endpoint_mapper = std::make_unique<MapperStream>();
    for (const auto& stub : c.endpoint_mapper->feed(p.sequence, p.payload))
      for (const auto& e : mapped_endpoints(stub)) {
        mappings.push_back(
            {k.family, k.address[1 - mapper_side], k.address[mapper_side], e.port, intern(e.uuid), p.time});
        ++summary.rpc_endpoints_mapped;
      }
  }
};

FlowTable::FlowTable() : state_(std::make_unique<State>()) {}
FlowTable::~FlowTable() = default;

Summary FlowTable::summary() const {
  Summary s = state_->summary;
  s.connections = state_->connections.size();
  return s;
}

bool FlowTable::count_again(std::string_view reason) {
  auto it = state_->summary.skipped.find(reason);
  if (it == state_->summary.skipped.end()) return false;
  ++it->second;
  return true;
}

void FlowTable::first_skip(const LocalizedText& reason, LocalizedText where) {
  state_->summary.skipped.emplace(reason.en, 1);
  state_->summary.first_skipped.emplace(reason.en, std::move(where));
  state_->summary.skip_words.emplace(reason.en, reason);
}

void FlowTable::add(const Packet& p) {
  auto& st = *state_;
  st.summary.packets += p.packets;
  st.summary.bytes += p.bytes;
  Key k{};
  k.family = static_cast<std::uint8_t>(p.family);
  k.protocol = p.protocol;
  // Side 0 is the lower (address, port).
  int cmp = std::memcmp(p.source.data(), p.destination.data(), 16);
  bool source_low = cmp < 0 || (cmp == 0 && p.source_port <= p.destination_port);
  int source_side = source_low ? 0 : 1;
  k.address[source_side] = p.source;
  k.address[1 - source_side] = p.destination;
  k.port[source_side] = p.source_port;
  k.port[1 - source_side] = p.destination_port;

  bool added = false;
  if (st.last == State::kNone || !(k == st.last_key)) {
    auto [it, inserted] = st.index.try_emplace(k, static_cast<std::uint32_t>(st.connections.size()));
    if (inserted) st.connections.emplace_back(k, Connection{});
    st.last = it->second, st.last_key = k, added = inserted;
  }
  auto& c = st.connections[st.last].second;
  if (added) {
    c.first = p.time;
    c.first_from = static_cast<std::int8_t>(p.icmp_error ? 1 - source_side : source_side);
  }
  c.packets += p.packets;
  c.bytes += p.bytes;
  c.first = std::min(c.first, p.time);
  c.last = std::max({c.last, p.time, p.until});
  if (p.dropped) c.dropped += p.packets;
  if (p.source_is_client) c.client_by_log = static_cast<std::int8_t>(source_side);
  if (p.protocol == 6) {
    if ((p.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn) c.syn_from = static_cast<std::int8_t>(source_side);
    if ((p.tcp_flags & (kTcpSyn | kTcpAck)) == (kTcpSyn | kTcpAck))
      c.syn_ack_from = static_cast<std::int8_t>(source_side);
    if (!p.payload.empty()) {
      st.watch_bind(c, source_side, p.payload);
      if (p.source_port == kEndpointMapperPort && p.destination_port != kEndpointMapperPort)
        st.watch_endpoint_mapper(k, c, source_side, p);
    }
  } else if ((p.protocol == 1 && p.icmp_type == 8) || (p.protocol == 58 && p.icmp_type == 128)) {
    c.echo_from = static_cast<std::int8_t>(source_side);
  }
}

namespace {

// Catalog answers per (transport, port, interface), asked once each: a capture has thousands of
// flows on a few dozen ports.
class CatalogAnswers {
 public:
  explicit CatalogAnswers(const catalog::Catalog& c) : catalog_(c) {}
  const catalog::Meaning& operator()(Transport t, std::uint16_t port, const std::string* uuid) {
    auto [it, added] = cache_.try_emplace({t, port, uuid ? *uuid : std::string()});
    if (added)
      it->second = uuid ? catalog::describe(catalog_, t, port, catalog::InterfaceRef{*uuid, ""})
                        : catalog::describe(catalog_, t, port);
    return it->second;
  }
  bool known_port(Transport t, std::uint16_t port) { return !(*this)(t, port, nullptr).services.empty(); }

 private:
  const catalog::Catalog& catalog_;
  std::map<std::tuple<Transport, std::uint16_t, std::string>, catalog::Meaning> cache_;
};

// The interface an endpoint mapper handed a client for a server's port: the latest mapping
// before the connection began, else any for this server and port.
class MappedInterfaces {
 public:
  explicit MappedInterfaces(const std::vector<Mapping>& mappings) {
    for (const auto& m : mappings) by_server_[{m.family, m.server, m.port}].push_back(&m);
  }
  std::int32_t operator()(const Key& k, int client, double first) const {
    auto it = by_server_.find({k.family, k.address[1 - client], k.port[1 - client]});
    if (it == by_server_.end()) return -1;
    std::int32_t best = -1;
    double best_time = -1;
    for (const auto* m : it->second)
      if (m->client == k.address[client] && m->time <= first + 1 && m->time >= best_time)
        best = m->interface, best_time = m->time;
    return best >= 0 ? best : it->second.back()->interface;
  }

 private:
  std::map<std::tuple<std::uint8_t, std::array<std::uint8_t, 16>, std::uint16_t>, std::vector<const Mapping*>>
      by_server_;
};

// Which side of a connection is the client, and what said so (docs/analyze.md, in this order).
std::pair<int, DecidedBy> client_of(const Key& k, const Connection& c, Transport transport, CatalogAnswers& answers) {
  if (c.client_by_log != kNobody) return {c.client_by_log, DecidedBy::log};
  if (c.syn_from != kNobody) return {c.syn_from, DecidedBy::syn};
  if (c.syn_ack_from != kNobody) return {1 - c.syn_ack_from, DecidedBy::syn};
  if (c.bind_from != kNobody) return {c.bind_from, DecidedBy::rpc_bind};
  if (c.echo_from != kNobody) return {c.echo_from, DecidedBy::first_packet};
  if (has_ports(transport) && k.port[0] != k.port[1]) {
    bool known0 = answers.known_port(transport, k.port[0]), known1 = answers.known_port(transport, k.port[1]);
    if (known0 != known1) return {known0 ? 1 : 0, DecidedBy::catalog_port};
  }
  return {c.first_from, DecidedBy::first_packet};
}

struct AggregateKey {
  std::uint8_t family;
  std::array<std::uint8_t, 16> server, client;
  Transport transport;
  std::uint16_t port;
  std::int32_t interface;  // index into State::interfaces, -1 for none
  bool operator==(const AggregateKey&) const = default;
};
struct AggregateHash {
  std::size_t operator()(const AggregateKey& k) const {
    std::uint64_t h = 1469598103934665603ull;
    for (auto b : k.server) h = (h ^ b) * 1099511628211ull;
    for (auto b : k.client) h = (h ^ b) * 1099511628211ull;
    return h ^ (std::uint64_t{k.port} << 20) ^ (static_cast<std::uint64_t>(k.transport) << 40) ^
           static_cast<std::uint64_t>(k.interface + 1);
  }
};

// One more connection of a flow: its counters and time span.
void count_connection(ObservedFlow& f, const Connection& c, DecidedBy how, std::string_view via) {
  if (f.rpc_via != "bind" && via == "bind") f.rpc_via = via;
  f.decided_by = std::min(f.decided_by, how);
  ++f.connections;
  f.packets += c.packets;
  f.bytes += c.bytes;
  f.dropped += c.dropped;
  f.first = std::min(f.first, c.first);
  f.last = std::max(f.last, c.last);
}

}  // namespace

std::vector<ObservedFlow> FlowTable::flows(const catalog::Catalog& catalog) const {
  const auto& st = *state_;
  CatalogAnswers answers(catalog);
  MappedInterfaces mapped_interface(st.mappings);
  std::unordered_map<AggregateKey, ObservedFlow, AggregateHash> out;
  for (const auto& [k, c] : st.connections) {
    auto transport = transport_of(k.protocol);
    if (!transport) continue;
    auto [client, how] = client_of(k, c, *transport, answers);
    int server = 1 - client;
    std::uint16_t port = has_ports(*transport) ? k.port[server] : 0;
    std::int32_t interface = -1;
    const char* via = "";
    if (*transport == Transport::tcp) {
      if (c.bound_interface >= 0) {
        interface = c.bound_interface, via = "bind";
      } else if (!answers.known_port(Transport::tcp, port)) {  // endpoints are dynamic or configured ports
        if (auto i = mapped_interface(k, client, c.first); i >= 0) interface = i, via = "endpoint-mapper";
      }
    }
    auto [it, added] = out.try_emplace({k.family, k.address[server], k.address[client], *transport, port, interface});
    auto& f = it->second;
    if (added) {
      f.client = network(k.family, k.address[client]);
      f.server = network(k.family, k.address[server]);
      f.transport = *transport;
      f.port = port;
      f.rpc_via = via;
      f.decided_by = how;
      f.first = c.first;
      f.last = c.last;
      const std::string* uuid = interface >= 0 ? &st.interfaces[static_cast<std::size_t>(interface)] : nullptr;
      const auto& m = answers(*transport, port, uuid);
      f.rpc_interface = m.interface;
      f.services = m.services;
      f.wide = m.wide;
      f.dynamic_range = m.dynamic_range;
    }
    count_connection(f, c, how, via);
  }
  std::vector<ObservedFlow> flows;
  flows.reserve(out.size());
  for (auto& [key, f] : out) flows.push_back(std::move(f));
  // A stable order: by server, port, client, then interface.
  std::sort(flows.begin(), flows.end(), [](const ObservedFlow& a, const ObservedFlow& b) {
    return std::tie(a.server, a.transport, a.port, a.client, a.rpc_interface) <
           std::tie(b.server, b.transport, b.port, b.client, b.rpc_interface);
  });
  return flows;
}

}  // namespace winports::analyze
