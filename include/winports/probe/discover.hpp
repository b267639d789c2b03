#pragma once
// A domain's controllers from DNS, as Windows clients find them: the SRV records a DC registers
// (_ldap._tcp.dc._msdcs, _kerberos._tcp, _gc._tcp), each target resolved to its addresses.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "winports/core/network.hpp"
#include "winports/core/result.hpp"

namespace winports::probe {

struct SrvRecord {
  std::string name;  // the owner name queried, e.g. "_ldap._tcp.dc._msdcs.example.com"
  std::string target;
  std::uint16_t port = 0, priority = 0, weight = 0;
};

struct DomainController {
  std::string host;                                             // SRV target, lower case, without the trailing dot
  std::vector<Network> addresses;                               // A and AAAA of the host
  std::vector<SrvRecord> records;                               // every record that named it
  [[nodiscard]] bool listed_as(std::string_view prefix) const;  // e.g. "_gc._tcp"
};

struct DiscoverOptions {
  std::vector<std::string> servers;  // "198.18.0.1" or "[2001:db8::1]:5353"; empty: /etc/resolv.conf
  std::chrono::milliseconds timeout{2000};
  int tries = 2;
};

struct Discovery {
  std::vector<DomainController> controllers;  // ordered by priority, then host name
  std::vector<LocalizedText> notes;           // queries that found nothing, hosts without address
};

// The SRV owner names a Windows DC registers that find it, relative to the domain.
const std::vector<std::string_view>& dc_srv_prefixes();

// Error when no query could be answered at all (no server, bad domain) or nothing names a DC.
Result<Discovery> discover_domain(std::string_view domain, const DiscoverOptions& options);

}  // namespace winports::probe
