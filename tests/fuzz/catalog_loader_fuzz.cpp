// Fuzzes the user-catalog loader: any bytes as a service, roles, OS, vocabulary, documents, RPC
// interfaces or port-settings file must give a value or a file:line error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "winports/catalog/embedded.hpp"
#include "winports/catalog/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace winports::catalog;
  static const Catalog& base = builtin_catalog();
  winports::SourceFile file{"fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size)};
  auto service = parse_service(file, base);
  if (!service.ok() && service.error().to_string().empty()) __builtin_trap();
  (void)parse_roles(file);
  Catalog scratch;
  (void)parse_os_table(file, scratch);
  (void)parse_vocabulary(file, scratch);
  (void)parse_documents(file, scratch);
  Catalog extended = base;
  (void)parse_rpc_interfaces(file, extended);
  (void)parse_port_settings(file, extended);
  return 0;
}
