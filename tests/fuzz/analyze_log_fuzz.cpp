// analyze's log readers on arbitrary text, one target each: Zeek conn.log (TSV or JSON) and the
// Windows Firewall log.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "winports/analyze/inputs.hpp"
#include "winports/catalog/embedded.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  winports::analyze::FlowTable table;
#if defined(WINPORTS_FUZZ_ZEEK)
  auto st = winports::analyze::read_zeek("fuzz", in, table);
#else
  auto st = winports::analyze::read_pfirewall("fuzz", in, table);
#endif
  if (st) (void)table.flows(winports::catalog::builtin_catalog());
  return 0;
}
