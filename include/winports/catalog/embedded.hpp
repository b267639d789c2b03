#pragma once
// The catalog compiled from data/ when winports was built.
#include <cstdint>
#include <span>

#include "winports/catalog/model.hpp"
#include "winports/catalog/serialize.hpp"

namespace winports::catalog {

std::span<const std::uint8_t> builtin_blob();
// Decoded on first use; the build step already validated it, so failure here means a corrupt binary.
const Catalog& builtin_catalog();
// A copy holding only what `only` asks for, decoded on each call.
Catalog builtin_catalog_only(const Decode& only);

}  // namespace winports::catalog
