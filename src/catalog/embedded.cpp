#include "winports/catalog/embedded.hpp"

#include <cstdlib>
#include <iostream>

namespace winports::catalog {

extern "C" const std::uint8_t winports_catalog_blob[];
extern "C" const std::size_t winports_catalog_blob_size;

std::span<const std::uint8_t> builtin_blob() { return {winports_catalog_blob, winports_catalog_blob_size}; }

namespace {

Catalog decoded(const Decode& only) {
  auto result = from_blob(builtin_blob(), only);
  if (!result) {
    std::cerr << "winports: " << result.error().to_string() << '\n';
    std::abort();
  }
  return std::move(result).value();
}

}  // namespace

Catalog builtin_catalog_only(const Decode& only) { return decoded(only); }

const Catalog& builtin_catalog() {
  // Made once and kept for the process's life, never destroyed: freeing thousands of strings at
  // exit was a tenth of a lookup's whole run (callgrind), and the memory goes back with the process.
  // (Reachable from this pointer, so leak checkers do not count it.)
  static const Catalog* const catalog = new Catalog(decoded({}));
  return *catalog;
}

}  // namespace winports::catalog
