#include "winports/catalog/embedded.hpp"

#include <cstdlib>
#include <iostream>

#include "winports/catalog/serialize.hpp"

namespace winports::catalog {

extern "C" const std::uint8_t winports_catalog_blob[];
extern "C" const std::size_t winports_catalog_blob_size;

std::span<const std::uint8_t> builtin_blob() { return {winports_catalog_blob, winports_catalog_blob_size}; }

const Catalog& builtin_catalog() {
  static const Catalog catalog = [] {
    auto result = from_blob(builtin_blob());
    if (!result) {
      std::cerr << "winports: " << result.error().to_string() << '\n';
      std::abort();
    }
    return std::move(result).value();
  }();
  return catalog;
}

}  // namespace winports::catalog
