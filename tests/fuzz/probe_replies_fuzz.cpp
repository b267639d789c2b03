// Every UDP reply parser on arbitrary bytes: replies come from the network.
#include <cstddef>
#include <cstdint>
#include <span>

#include "winports/probe/protocols.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  std::uint16_t id = static_cast<std::uint16_t>(data[0] << 8 | data[1]);
  std::span<const std::uint8_t> reply(data + 2, size - 2);
  (void)winports::probe::dns_parse(reply, id);
  (void)winports::probe::ntp_parse(reply, id);
  return 0;
}
