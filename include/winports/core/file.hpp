#pragma once
#include <filesystem>
#include <string_view>

#include "winports/core/result.hpp"

namespace winports {

// Writes `content` to a temporary file beside `path`, then renames it over `path`, so a reader
// never sees a half-written file and a failure leaves any old file untouched.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace winports
