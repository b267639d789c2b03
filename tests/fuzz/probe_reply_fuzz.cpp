// One reply parser on arbitrary bytes — replies come from the network. Built once per protocol
// (CMake sets WINPORTS_FUZZ_UDP_PORT or WINPORTS_FUZZ_TCP_PORT), so each parser has its own
// target, corpus and coverage. The first two bytes are the probe id; a TCP conversation gets the
// rest at every turn it asks for, bounded.
#include <cstddef>
#include <cstdint>
#include <span>

#include "winports/probe/protocols.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  [[maybe_unused]] const auto id = static_cast<std::uint16_t>(data[0] << 8 | data[1]);
  std::span<const std::uint8_t> reply(data + 2, size - 2);
#if defined(WINPORTS_FUZZ_UDP_PORT)
  static const auto* protocol = winports::probe::udp_protocol(WINPORTS_FUZZ_UDP_PORT);
  (void)protocol->parse(reply, id);
#else
  static const auto* protocol = winports::probe::tcp_protocol(WINPORTS_FUZZ_TCP_PORT);
  winports::probe::Hints hints;
  hints.rpc_map = {{"e3514235-4b06-11d1-ab04-00c04fc2dcd2", 4}, {"12345678-1234-abcd-ef00-01234567cffb", 1}};
  auto conversation = protocol->start(hints);
  for (int turn = 0; turn < 64; ++turn) {
    (void)conversation->request();
    auto step = conversation->receive(reply);
    if (step.kind != winports::probe::Step::Kind::send) break;
  }
#endif
  return 0;
}
