#include "context.hpp"

#include <cstdlib>

#include "winports/catalog/embedded.hpp"
#include "winports/catalog/loader.hpp"

namespace winports::cli {

Lang Context::lang() const {
  if (lang_option == "ja") return Lang::ja;
  if (lang_option == "en") return Lang::en;
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(var);
    if (value && *value) return lang_from_locale(value);
  }
  return Lang::en;
}

const catalog::Catalog* Context::load() {
  const auto& builtin = catalog::builtin_catalog();
  if (catalog_dirs.empty()) return &builtin;
  merged_ = builtin;
  for (const auto& dir : catalog_dirs) {
    if (auto st = catalog::merge_directory(merged_, dir); !st) {
      report(st.error());
      return nullptr;
    }
  }
  return &merged_;
}

int report(const Error& error) {
  std::cerr << "winports: error: " << error.to_string() << '\n';
  for (const auto& more : error.also) std::cerr << "winports: error: " << more.to_string() << '\n';
  return kUsageError;
}

}  // namespace winports::cli
