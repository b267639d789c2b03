#pragma once
// PortQry-style probing from Linux: one epoll loop over non-blocking sockets, thousands of probes
// in flight, per-probe deadlines, one retry for silence, a global rate limit. No root needed:
// UDP ICMP errors arrive through IP_RECVERR on connected sockets.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "winports/core/network.hpp"
#include "winports/core/port.hpp"
#include "winports/core/result.hpp"
#include "winports/probe/protocols.hpp"

namespace winports::probe {

// PortQry's verdicts (docs/check.md defines each precisely).
enum class PortState {
  listening,              // TCP handshake completed, or a UDP reply (a protocol probe's reply when there is one)
  not_listening,          // TCP reset, or ICMP port unreachable
  filtered,               // no answer to TCP, or ICMP administratively prohibited / host unreachable
  listening_or_filtered,  // UDP silence where no protocol probe could prove more
};
std::string_view to_string(PortState s);

struct Request {
  Network address;  // a single address (/32 or /128)
  Transport transport = Transport::tcp;
  std::uint16_t port = 0;
  // The local address the probe leaves from (of the address's family), or none: the kernel's
  // choice by route. A machine in several zones probes each zone's flows from that zone's address.
  std::optional<Network> source = std::nullopt;
};

struct Outcome {
  Request request;
  PortState status = PortState::filtered;
  LocalizedText detail;  // what the reply proved ("DNS response, NOERROR, 1 answer(s)"), or why the verdict
  std::chrono::microseconds elapsed{};
  std::optional<RpcEndpoint> rpc;  // set when an endpoint mapper handed this port out for an interface
};

struct Options {
  // Per attempt, at most. Once a host has answered anything (SYN-ACK, reset, a datagram, an ICMP
  // error), its silent probes wait only srtt + 4·rttvar of its first-attempt answers (RFC 6298),
  // but at least min_timeout: a LAN host's dropped ports cost milliseconds, not seconds.
  std::chrono::milliseconds timeout{1000};
  std::chrono::milliseconds min_timeout{100};
  int retries = 1;         // extra attempts after silence
  int concurrency = 1024;  // probes in flight
  int rate = 0;            // new probes per second; 0 = unlimited
  bool protocols = true;   // speak each port's protocol; false: handshake / empty datagram only
  Hints hints;
  // Called with every protocol request sent and every reply received (TCP: the whole reply a
  // conversation acted on), for --trace and for recording test data.
  std::function<void(const Request&, bool sent, std::uint16_t id, std::span<const std::uint8_t> bytes)> trace;
};

// Probes every request; outcomes come back in request order. Then every TCP endpoint an endpoint
// mapper handed out is probed too: one outcome per (endpoint, interface), after the others.
Result<std::vector<Outcome>> run(const std::vector<Request>& requests, const Options& options);

}  // namespace winports::probe
