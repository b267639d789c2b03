#pragma once
// Lookups over the catalog: by service name, by port, by free text; and the list of places
// where the KB disagrees with itself.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/catalog/serialize.hpp"
#include "winports/core/result.hpp"

namespace winports::catalog {

// Services whose id, name (ja/en), alias or system service name equals `name` after
// fold_for_match (case, width, spaces and punctuation ignored).
std::vector<const Service*> find_services(const Catalog& catalog, std::string_view name);

// Up to `limit` names close to `name`, for "did you mean".
std::vector<std::string> suggest_names(const Catalog& catalog, std::string_view name, std::size_t limit = 3);

// "445", "445/tcp", "udp/389", "tcp:135", or a port-less transport: "gre", "esp", "ah", "icmp".
struct PortQuery {
  std::optional<Transport> transport;
  std::optional<std::uint16_t> port;
  std::string text;
};
Result<PortQuery> parse_port_query(std::string_view text);

// How a row holds the port, best first: a row printing that very port says more about it than
// one printing a range around it, and a range of a thousand ports or a dynamic RPC range says
// only that a high port may be anything.
enum class PortMatch : std::uint8_t {
  exact,          // the row prints the port itself (or the query names a port-less transport)
  range,          // a printed range narrower than kWideRange holds it
  wide_range,     // a printed range of kWideRange ports or more holds it
  dynamic_range,  // only an OS era's dynamic RPC range of a dynamic-port row holds it
};
std::string_view to_string(PortMatch match);  // "exact", "range", "wide-range", "dynamic-range"

struct PortHit {
  const Service* service = nullptr;
  const Requirement* requirement = nullptr;
  // "" when the port is printed in the KB row; "legacy" or "modern" when it falls only in that
  // OS era's dynamic range of a dynamic-port requirement.
  std::string via_dynamic_range;
  PortMatch match = PortMatch::exact;
  std::optional<PortRange> matched;  // the printed range or era range holding the port
  [[nodiscard]] bool wide() const { return match >= PortMatch::wide_range; }
};
// Every row holding the port, ranked by PortMatch (then by service id, row order).
std::vector<PortHit> lookup_port(const Catalog& catalog, const PortQuery& query);
// What a port lookup reads of the catalog: the services lookup_port can name for one of the
// queries, or whose corrected port is one of their texts, and the parts their rows' conditions
// name (roles, OS versions, features, scenarios); the rest is not decoded (serialize.hpp).
Decode port_lookup_parts(std::vector<PortQuery> queries);

// What a port means in one line, by its best meaning only: the services whose rows print the port
// itself (ids, each once), else those whose narrow ranges hold it; those whose row prints only a
// wide range holding it ("1024-65535": any high port), and, when no row prints it, the OS eras
// ("modern", "legacy") whose dynamic RPC range holds it.
struct PortMeaning {
  std::vector<std::string> services;  // rows print the port; else ranges narrower than kWideRange
  std::vector<std::string> wide;      // only a range of kWideRange ports or more holds it
  std::string dynamic_range;          // "" or "modern" / "legacy" / "modern,legacy"
};
constexpr std::uint32_t kWideRange = 1000;
// `port` is ignored for a port-less transport (GRE, ESP, AH, ICMP).
PortMeaning port_meaning(const Catalog& catalog, Transport transport, std::uint16_t port);

// What a port means, and for an endpoint an endpoint mapper handed out (or a bind named) its RPC
// interface: the one answer check, verify, local and analyze all give. A known interface means its
// service (an unknown one "rpc"); the endpoint mapper's and DCOM's service ("rpc") says nothing of
// the caller, so then, as with no interface, the services whose rows print the port follow, once each.
struct Meaning {
  std::vector<std::string> services;
  std::vector<std::string> wide;  // no service: the ones whose only row holding it is a wide range
  std::string dynamic_range;      // no service: the OS eras whose dynamic RPC range holds it
  std::string interface;          // the interface's catalog name, else the annotation, else its UUID
  // "kdc,kpasswd"; else "(dynamic RPC range: modern)", "(a high port: …)", "(not in the catalog)", in
  // `lang` (service ids and era names are the catalog's, the same in both).
  [[nodiscard]] std::string text(Lang lang = Lang::en) const;
};
struct InterfaceRef {
  std::string_view uuid;
  std::string_view annotation;  // what the endpoint mapper says, for an interface the catalog lacks
};
Meaning describe(const Catalog& catalog, Transport transport, std::uint16_t port,
                 std::optional<InterfaceRef> interface = std::nullopt);

struct SearchHit {
  const Service* service = nullptr;
  int rank = 0;         // lower is better: 0 name, 1 alias/system name, 2 protocol, 3 text
  std::string matched;  // the text that matched
};
std::vector<SearchHit> search(const Catalog& catalog, std::string_view text);

struct Discrepancy {
  // name-differs: the two tables name the same row differently;
  // consolidated-only: a row of the consolidated table missing from the service's own table;
  // not-in-consolidated: a service-table row the consolidated table leaves out;
  // stated: a disagreement recorded in words in the data (discrepancies:);
  // doc-vs-kb: a row of a product's other Microsoft document (kb_counterpart:) whose ports the KB's
  // rows for its earlier version print nowhere, or the other way round (requirement: that row).
  std::string kind;
  const Service* service = nullptr;
  const Requirement* requirement = nullptr;  // null for "stated"
  LocalizedText text;
};
std::vector<Discrepancy> discrepancies(const Catalog& catalog);

}  // namespace winports::catalog
