// The /proc/net socket table parser on arbitrary text (`local --proc DIR` reads any file given).
// The first byte picks the table kind: TCP or UDP, IPv4 or IPv6.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "winports/probe/local.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto transport = (data[0] & 1) ? winports::Transport::udp : winports::Transport::tcp;
  const int family = (data[0] & 2) ? 6 : 4;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)winports::probe::parse_proc_net(text, transport, family, "fuzz");
  return 0;
}
