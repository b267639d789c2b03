#pragma once
// A shared library loaded on first use. The report libraries (Graphviz and libxlsxwriter, with
// libcrypto, zlib and expat behind them) would otherwise be mapped and relocated at every start of
// every command, and a lookup is benchmarked against grep: they cost more than the lookup itself.
#include <dlfcn.h>

#include <string>

#include "winports/core/result.hpp"

namespace winports {

class SharedLibrary {
 public:
  // RTLD_GLOBAL: Graphviz loads its own plugins, which expect libgvc's symbols to be visible.
  static Result<SharedLibrary> open(const char* soname, const char* field) {
    void* handle = dlopen(soname, RTLD_NOW | RTLD_GLOBAL);
    if (!handle) return Error{"", 0, 0, field, std::string("cannot load ") + soname + ": " + dlerror()};
    return SharedLibrary(handle, field);
  }

  // Binds `out` to the symbol `name`; the type comes from the library's own header, so a changed
  // signature fails to compile instead of failing at run time.
  template <class Function>
  Status bind(const char* name, Function*& out) const {
    out = reinterpret_cast<Function*>(dlsym(handle_, name));
    if (!out) return Error{"", 0, 0, field_, std::string("missing symbol ") + name};
    return ok_status();
  }

 private:
  SharedLibrary(void* handle, const char* field) : handle_(handle), field_(field) {}
  void* handle_;  // never closed: the functions stay in use until exit
  const char* field_;
};

// A struct `Api` of function pointers named after the functions LIST names (LIST(X) expands X(f)
// for each), and `Result<Api> load_Api()` that opens the library and binds them all.
#define WINPORTS_API_MEMBER(function) decltype(&::function) function = nullptr;
#define WINPORTS_API_BIND(function) \
  if (auto bound = library->bind(#function, api.function); !bound) return bound.error();
#define WINPORTS_SHARED_API(Api, LIST, soname, field)  \
  struct Api {                                         \
    LIST(WINPORTS_API_MEMBER)                          \
  };                                                   \
  inline Result<Api> load_##Api() {                    \
    auto library = SharedLibrary::open(soname, field); \
    if (!library) return library.error();              \
    Api api;                                           \
    LIST(WINPORTS_API_BIND)                            \
    return api;                                        \
  }

}  // namespace winports
