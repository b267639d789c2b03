// Every reply parser on arbitrary bytes: replies come from the network. The first byte picks the
// parser, the next two are the probe id; TCP conversations get the rest in two chunks, as a reply
// may arrive.
#include <cstddef>
#include <cstdint>
#include <span>

#include "winports/probe/protocols.hpp"

namespace {

using Parse = std::optional<std::string> (*)(std::span<const std::uint8_t>, std::uint16_t);
using Start = std::unique_ptr<winports::probe::TcpConversation> (*)(const winports::probe::Hints&);

constexpr Parse kUdp[] = {
    winports::probe::dns_parse,     winports::probe::ntp_parse,        winports::probe::kerberos_parse,
    winports::probe::kpasswd_parse, winports::probe::cldap_parse,      winports::probe::netbios_parse,
    winports::probe::snmp_parse,    winports::probe::sqlbrowser_parse, winports::probe::tftp_parse,
    winports::probe::ike_parse,     winports::probe::ssdp_parse,
};
constexpr Start kTcp[] = {winports::probe::epmapper_start, winports::probe::ldap_start, winports::probe::smb2_start,
                          winports::probe::rdp_start, winports::probe::http_start};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::size_t pick = data[0] % (std::size(kUdp) + std::size(kTcp));
  const auto id = static_cast<std::uint16_t>(data[1] << 8 | data[2]);
  std::span<const std::uint8_t> reply(data + 3, size - 3);
  if (pick < std::size(kUdp)) {
    (void)kUdp[pick](reply, id);
    return 0;
  }
  winports::probe::Hints hints;
  hints.rpc_map = {{"e3514235-4b06-11d1-ab04-00c04fc2dcd2", 4}, {"12345678-1234-abcd-ef00-01234567cffb", 1}};
  auto conversation = kTcp[pick - std::size(kUdp)](hints);
  // Replay the reply to every turn the conversation asks for, bounded.
  std::vector<std::uint8_t> received;
  for (int turn = 0; turn < 64; ++turn) {
    (void)conversation->request();
    auto step = conversation->receive(reply);
    if (step.kind != winports::probe::Step::Kind::send) break;
  }
  return 0;
}
