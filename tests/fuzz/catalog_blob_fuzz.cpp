// Fuzzes the embedded-catalog decoder with arbitrary bytes: it must reject, not crash.
#include <cstddef>
#include <cstdint>
#include <span>

#include "winports/catalog/serialize.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)winports::catalog::from_blob(std::span(data, size));
  return 0;
}
