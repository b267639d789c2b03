#pragma once
// What the network recorded, as flows: every packet or log line a reader decodes goes into one
// FlowTable, which keeps one record per connection (memory grows with connections, not with the
// input's size), watches DCE/RPC binds and endpoint-mapper replies, and at the end decides each
// connection's client and server and names the catalog services behind it.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/core/message.hpp"
#include "winports/core/network.hpp"
#include "winports/core/port.hpp"

namespace winports::analyze {

// One decoded packet (or one log record standing for a whole connection).
struct Packet {
  double time = 0;   // seconds since the epoch
  double until = 0;  // a log record's end (time + duration); 0 for a packet
  int family = 4;
  std::array<std::uint8_t, 16> source{}, destination{};
  std::uint8_t protocol = 0;  // IP protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 47 GRE, 50 ESP
  std::uint16_t source_port = 0, destination_port = 0;
  std::uint8_t tcp_flags = 0;  // TCP only
  std::uint8_t icmp_type = 0;  // ICMP only
  std::uint32_t sequence = 0;  // TCP only
  std::uint64_t bytes = 0;     // IP length on the wire
  std::uint64_t packets = 1;   // > 1 when a log record summarises a connection
  std::span<const std::uint8_t> payload;
  // Logs say which side opened the connection; packets leave it to the table.
  bool source_is_client = false;
  bool dropped = false;     // a firewall log's DROP
  bool icmp_error = false;  // an ICMP error about this connection, sent back towards its sender
};

constexpr std::uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

// How a flow's client and server were told apart.
enum class DecidedBy { log, syn, rpc_bind, catalog_port, first_packet };
const char* to_string(DecidedBy d);

// Flows aggregated by (client, server, transport, server port, RPC interface): what the JSON
// lists.
struct ObservedFlow {
  Network client, server;  // host addresses (/32 or /128)
  Transport transport = Transport::tcp;
  std::uint16_t port = 0;             // the server's port; 0 for GRE, ESP and ICMP
  std::vector<std::string> services;  // catalog ids its port and transport (or RPC interface) mean
  std::vector<std::string> wide;      // services whose KB row holds the port only in a wide range
  std::string rpc_interface;          // "drsuapi" … when the capture says which interface
  std::string rpc_via;                // "bind" or "endpoint-mapper"
  std::string dynamic_range;          // "modern" / "legacy" when the port is only in a dynamic RPC range
  DecidedBy decided_by = DecidedBy::first_packet;
  std::uint64_t connections = 0, packets = 0, bytes = 0;
  std::uint64_t dropped = 0;  // records a firewall log marks dropped
  double first = 0, last = 0;
};

// What was read and what was not, with the reason for each skip.
struct Summary {
  std::uint64_t packets = 0, bytes = 0, connections = 0;
  std::map<std::string, std::uint64_t, std::less<>> skipped;  // reason → packets or lines
  std::map<std::string, LocalizedText> first_skipped;         // reason → "file:line" (or packet) of the first
  std::map<std::string, LocalizedText> skip_words;            // reason → the reason in both languages
  std::uint64_t rpc_endpoints_mapped = 0, rpc_binds = 0;
};

class FlowTable {
 public:
  FlowTable();
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  void add(const Packet& p);
  // Counts what a reader could not use; `where()` ("conn.log:12", "trace.pcap packet 7") is
  // asked only for the first of each reason: a capture may skip every other frame.
  // The reason is a message: its English is the key (the JSON's), its words are said once, at the
  // first skip; a message without arguments costs nothing more than a lookup.
  template <class Where>
  void skip(Msg reason, Where&& where) {
    if (!count_again(reason.text().en)) first_skip(said(reason), located(where()));
  }
  template <class Where>
  void skip(const LocalizedText& reason, Where&& where) {
    if (!count_again(reason.en)) first_skip(reason, located(where()));
  }
  // Client and server decided, services named, connections aggregated; sorted by server, port,
  // client.
  [[nodiscard]] std::vector<ObservedFlow> flows(const catalog::Catalog& catalog) const;
  [[nodiscard]] Summary summary() const;

 private:
  bool count_again(std::string_view reason);  // false when the reason is new
  void first_skip(const LocalizedText& reason, LocalizedText where);
  // Where a skip was: "file:line" is the same in both languages, "file packet N" is not.
  static LocalizedText located(std::string where) { return {where, where}; }
  static LocalizedText located(LocalizedText where) { return where; }
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace winports::analyze
