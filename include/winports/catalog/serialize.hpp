#pragma once
// Compact binary form of a Catalog, embedded in the binary at build time. Hand-written because
// a lookup must load the whole catalog in well under a millisecond (the whole process is
// benchmarked against grep); parsing YAML or JSON at start-up costs several milliseconds.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/core/result.hpp"

namespace winports::catalog {

// What a service's record says about its ports, read ahead of the service itself: a port lookup
// decodes only the services that can answer it (decoding all of them was a fifth of its run).
struct ServicePorts {
  struct Row {
    Transport transport = Transport::tcp;
    bool dynamic = false;  // the row's ports may also be an OS era's dynamic range
    PortSet ports;
  };
  std::vector<Row> rows;
  std::vector<std::string> port_seeds;  // the KB's printed port numbers the catalog corrected
};
// Called for each service with the catalog read so far (its RPC ranges come first); false skips
// the service without decoding it.
using ServiceFilter = std::function<bool(const Catalog& so_far, const ServicePorts& service)>;

// What to decode: by default everything. A command that reads a few parts leaves the rest empty.
struct Decode {
  ServiceFilter services;  // empty: every service
  // false: of each service only what its rows are told with (id, names, section, conditions,
  // obsolete, notes, requirements); aliases, descriptions, relations and discrepancies stay empty.
  bool service_texts = true;
  // The parts after the services, in Catalog::members() order (roles … products); the RPC ranges
  // and the services are always read.
  bool roles = true, profiles = true, os_versions = true, features = true, scenarios = true, rpc_interfaces = true,
       port_settings = true, documents = true, predefined_rules = true, products = true;
};

std::vector<std::uint8_t> to_blob(const Catalog& catalog);
Result<Catalog> from_blob(std::span<const std::uint8_t> blob, const Decode& only = {});

}  // namespace winports::catalog
