#pragma once
// What `winports check` is asked to probe: targets (address, CIDR, host name) and port specs
// ("tcp:135,445,49152-65535,udp:53,389": a tcp:/udp: prefix switches the transport).
#include <string>
#include <vector>

#include "winports/core/network.hpp"
#include "winports/core/port.hpp"
#include "winports/core/result.hpp"

namespace winports::probe {

struct PortSpec {
  PortSet tcp, udp;
  [[nodiscard]] bool empty() const { return tcp.empty() && udp.empty(); }
};
Result<PortSpec> parse_port_spec(std::string_view text);

// Addresses of one target: an address, a CIDR (every address in it; more than `limit` is an
// error unless `force`), or a host name (resolved through the system resolver).
Result<std::vector<Network>> expand_target(std::string_view target, std::size_t limit, bool force);

}  // namespace winports::probe
