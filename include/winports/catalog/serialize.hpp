#pragma once
// Compact binary form of a Catalog, embedded in the binary at build time. Hand-written because
// a lookup must load the whole catalog in well under a millisecond (the whole process is
// benchmarked against grep); parsing YAML or JSON at start-up costs several milliseconds.
#include <cstdint>
#include <span>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/core/result.hpp"

namespace winports::catalog {

std::vector<std::uint8_t> to_blob(const Catalog& catalog);
Result<Catalog> from_blob(std::span<const std::uint8_t> blob);

}  // namespace winports::catalog
