#include "winports/probe/protocols.hpp"

#include <algorithm>
#include <array>

namespace winports::probe {

const UdpProtocol* udp_protocol(std::uint16_t port) {
  static const std::array<UdpProtocol, 2> all = {{
      {53, "dns", dns_request, dns_parse},
      {123, "ntp", ntp_request, ntp_parse},
  }};
  auto it = std::find_if(all.begin(), all.end(), [&](const UdpProtocol& p) { return p.port == port; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace winports::probe
