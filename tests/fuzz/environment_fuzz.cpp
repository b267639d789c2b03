// Fuzzes the site-file loader and the planner behind it: any bytes give an environment (and then
// a plan) or a file:line error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "winports/catalog/embedded.hpp"
#include "winports/plan/planner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto& catalog = winports::catalog::builtin_catalog();
  auto env =
      winports::plan::load_environment({"fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size)}, catalog);
  if (env.ok() && env->hosts.size() <= 64 && env->access.size() <= 64) (void)winports::plan::make_plan(*env, catalog);
  return 0;
}
