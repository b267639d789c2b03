#pragma once
// The catalog compiled from data/ when winports was built.
#include <cstdint>
#include <span>

#include "winports/catalog/model.hpp"

namespace winports::catalog {

std::span<const std::uint8_t> builtin_blob();
// Decoded on first use; the build step already validated it, so failure here means a corrupt binary.
const Catalog& builtin_catalog();

}  // namespace winports::catalog
