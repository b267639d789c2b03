#pragma once
// check's and discover's question: the ports --ports, --service and --role name, on every address.
#include <string>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/probe/prober.hpp"
#include "winports/probe/targets.hpp"

namespace winports::verify {

// The ports a port spec, services and roles name; dynamic RPC ranges are left to the endpoint
// mapper, not swept. Errors name the flag (--service, --role, --ports).
Result<probe::PortSpec> port_spec(const catalog::Catalog& catalog, const std::string& ports,
                                  const std::vector<std::string>& services, const std::vector<std::string>& roles);
// The catalog's interfaces to ask an endpoint mapper for by name (ept_map), beside enumeration.
std::vector<probe::RpcInterfaceId> interfaces_to_map(const catalog::Catalog& catalog);
std::vector<probe::Request> requests_for(const std::vector<Network>& addresses, const probe::PortSpec& spec);

}  // namespace winports::verify
