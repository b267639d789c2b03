#pragma once
// The catalog in formats other tools read. The JSON shape is a stable interface:
// {"services":[{"id","names":{"ja","en"},"aliases":[],"system_service_names":[],
//   "requirements":[{"application_protocol":{"ja","en"},"transport","ports":[[lo,hi]],
//   "dynamic_rpc","optional","conditions","notes","source"}]}]}
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/catalog/query.hpp"

namespace winports::catalog {

// The format version of `export --format json` (its top-level "version"); docs/json.md.
constexpr int kExportJsonVersion = 1;

nlohmann::json requirement_json(const Catalog& catalog, const Service& service, const Requirement& requirement);
nlohmann::json service_json(const Catalog& catalog, const Service& service);
// A role or consumer profile: id, names, services, optional_services, origin (kind_of, refuses).
nlohmann::json role_json(const Role& role);
nlohmann::json catalog_json(const Catalog& catalog);
nlohmann::json port_hits_json(const Catalog& catalog, const std::vector<PortHit>& hits);
nlohmann::json discrepancies_json(const std::vector<Discrepancy>& items);

// One row per requirement. CSV follows RFC 4180 (quoted where needed, CRLF line ends).
void write_csv(const Catalog& catalog, std::ostream& out, Lang lang);
void write_markdown(const Catalog& catalog, std::ostream& out, Lang lang);

// "KB §Net Logon table row 1; consolidated row 67" style reference, for tables and comments.
std::string source_text(const Service& service, const Requirement& requirement, Lang lang);
// Conditions of the service and the requirement joined, plus "optional".
// A requirement's direction and an OS's kind as a person reads them (the JSON keeps the data's value).
LocalizedText direction_words(std::string_view direction);
LocalizedText os_kind_words(std::string_view kind);
LocalizedText discrepancy_kind_words(std::string_view kind);
// A seed correction's field (port, columns …) and reason (footnote-mark …) as a person reads them.
LocalizedText correction_words(std::string_view value);
// Where a requirement comes from (kb, doc, model, user) as a person reads it.
LocalizedText origin_words(Origin origin);
std::string conditions_text(const Catalog& catalog, const Service& service, const Requirement& requirement, Lang lang);

}  // namespace winports::catalog
