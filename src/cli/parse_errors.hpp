#pragma once
// CLI11's parse errors in the run's language: CLI11 words them in English only, so each is matched
// by its English shape and said again from the message table.
#include <CLI/CLI.hpp>

#include "winports/core/result.hpp"

namespace winports::cli {

// The error `e` of parsing argv as `app`, with the option it is about as the field; a command
// name that is none is said so, with the closest command. A shape the table does not know keeps
// CLI11's own text.
Error parse_error(CLI::App& app, const CLI::ParseError& e, int argc, char** argv);

}  // namespace winports::cli
