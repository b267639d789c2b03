#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "winports/core/result.hpp"

namespace winports {

// Writes `content` to the output path a user named, without ever destroying what the path is.
// winports runs as root, so renaming over `/dev/null` or a FIFO would replace a device node:
// - nothing there, or a regular file: a temporary file beside it is renamed over it, so a reader
//   never sees a half-written file and a failure leaves the old one untouched (the old file's
//   mode and owner are kept; a file with other hard links is written in place, keeping the links);
// - a symlink: followed, and its final target treated by these same rules (the link stays a link);
// - a device node, FIFO or `/dev/stdout`-style link into /proc/*/fd: written through;
// - a directory or socket: refused.
// Errors carry the path and the system's reason; nothing is written on error.
Status write_output(const std::filesystem::path& path, std::string_view content);

// An input file's name (shown in errors) and its whole text: what every reader of outside input
// takes, so a test or a fuzzer can hand one over without a file.
struct SourceFile {
  std::string name;
  std::string text;
};

// The whole file, or an error naming the path and the system's reason ("No such file or
// directory", "Permission denied", "Is a directory").
Result<std::string> read_file(const std::filesystem::path& path);
// read_file, named by the path as given.
Result<SourceFile> read_source_file(const std::filesystem::path& path);

}  // namespace winports
