#include "winports/core/result.hpp"

namespace winports {

std::string Error::to_string(Lang lang) const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += ':' + std::to_string(line);
      if (column > 0) out += ':' + std::to_string(column);
    }
    out += ": ";
  }
  if (!field.empty()) out += field + ": ";
  out += message_in(lang);
  return out;
}

}  // namespace winports
