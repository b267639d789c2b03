// Which protocol speaks on which port: data, not branches. The ports are the KB's; a port missing
// here is probed by the handshake (TCP) or an empty datagram (UDP) alone.
#include "winports/probe/protocols.hpp"

#include <algorithm>
#include <array>

#include "one_shot.hpp"

namespace winports::probe {

const UdpProtocol* udp_protocol(std::uint16_t port) {
  static const std::array<UdpProtocol, 11> all = {{
      {53, "DNS", dns_request, dns_parse},
      {69, "TFTP", tftp_request, tftp_parse, true},
      {88, "Kerberos", kerberos_request, kerberos_parse},
      {123, "NTP", ntp_request, ntp_parse},
      {137, "NetBIOS", netbios_request, netbios_parse},
      {161, "SNMP", snmp_request, snmp_parse},
      {389, "CLDAP", cldap_request, cldap_parse},
      {464, "kpasswd", kpasswd_request, kpasswd_parse},
      {500, "IKE", ike_request, ike_parse},
      {1434, "SQL Server Browser", sqlbrowser_request, sqlbrowser_parse},
      {1900, "SSDP", ssdp_request, ssdp_parse},
  }};
  auto it = std::find_if(all.begin(), all.end(), [&](const UdpProtocol& p) { return p.port == port; });
  return it == all.end() ? nullptr : &*it;
}

const TcpProtocol* tcp_protocol(std::uint16_t port) {
  static const std::array<TcpProtocol, 8> all = {{
      {80, "HTTP", http_start},
      {135, "RPC endpoint mapper", epmapper_start},
      {389, "LDAP", ldap_start},
      {445, "SMB", smb2_start},
      {3268, "LDAP (global catalog)", ldap_start},
      {3389, "RDP", rdp_start},
      {5985, "WinRM", http_start},
      {47001, "WinRM", http_start},
  }};
  auto it = std::find_if(all.begin(), all.end(), [&](const TcpProtocol& p) { return p.port == port; });
  return it == all.end() ? nullptr : &*it;
}

namespace {

class OneShot final : public TcpConversation {
 public:
  OneShot(wire::Bytes request, Step (*parse)(wire::View)) : request_(std::move(request)), parse_(parse) {}
  std::vector<std::uint8_t> request() override { return request_; }
  Step receive(std::span<const std::uint8_t> received) override { return parse_(received); }

 private:
  wire::Bytes request_;
  Step (*parse_)(wire::View);
};

}  // namespace

std::unique_ptr<TcpConversation> one_shot(wire::Bytes request, Step (*parse)(wire::View received)) {
  return std::make_unique<OneShot>(std::move(request), parse);
}

}  // namespace winports::probe
