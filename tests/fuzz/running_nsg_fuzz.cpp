// Fuzzes plan --format azure-nsg's reader of the NSGs as deployed (--running-nsg: az network nsg
// list/show JSON, outside input): any bytes give a template or an error naming the file, never a
// crash, and a template is JSON.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "winports/catalog/embedded.hpp"
#include "winports/emit/emitter.hpp"
#include "winports/plan/planner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace winports;
  static const auto& catalog = catalog::builtin_catalog();
  static const auto env = *plan::load_environment({"fuzz.yaml", R"(site: cloud
zones:
  clients: { networks: [198.18.70.0/24], os: windows-11, azure_nsg: nsg-clients }
  servers: { networks: [198.18.60.0/24, "2001:db8:60::/64"], os: windows-server-2022, azure_nsg: nsg-servers }
hosts:
  dc1: { address: [198.18.60.10, "2001:db8:60::10"], zone: servers, roles: [domain-controller] }
access:
  - { from: clients, to: dc1, as: domain-member }
)"},
                                                  catalog);
  static const auto plan = plan::make_plan(env, catalog);
  emit::Input in{plan, env, catalog, {}};
  in.options.priority_band = "200-299";
  in.options.running_nsg.assign(reinterpret_cast<const char*>(data), size);
  in.options.running_nsg_file = "fuzz.json";
  auto out = emit::emit_azure_nsg(in);
  if (out.ok() && nlohmann::json::parse(*out, nullptr, false).is_discarded()) __builtin_trap();
  return 0;
}
