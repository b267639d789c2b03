#include "winports/catalog/export.hpp"

#include <map>

#include "winports/catalog/messages.hpp"
#include "winports/catalog/rules.hpp"

namespace winports::catalog {
namespace {

nlohmann::json text_json(const LocalizedText& t) { return {{"ja", t.ja}, {"en", t.en}}; }

nlohmann::json ports_json(const PortSet& ports) {
  auto out = nlohmann::json::array();
  for (auto r : ports.ranges()) out.push_back({r.lo, r.hi});
  return out;
}

nlohmann::json conditions_json(const Catalog& catalog, const std::vector<Condition>& conditions) {
  auto out = nlohmann::json::array();
  for (const auto& c : conditions)
    out.push_back({{"kind", c.kind},
                   {"values", c.values},
                   {"text", {{"ja", describe(catalog, c, Lang::ja)}, {"en", describe(catalog, c, Lang::en)}}}});
  return out;
}

nlohmann::json obsolete_json(const Catalog& catalog, const Obsolete& o) {
  return {{"why", text_json(o.why)}, {"source", o.source}, {"unless", conditions_json(catalog, o.unless)}};
}

nlohmann::json source_json(const Service& s, const Source& src) {
  if (!src.kb()) {
    nlohmann::json j{{"document", src.document}, {"title", src.title}, {"url", src.url}, {"section", src.section}};
    if (!src.quote.empty()) j["quote"] = src.quote;
    return j;
  }
  nlohmann::json j{{"table", src.table}};
  if (!s.section.en.empty()) j["section"] = text_json(s.section);
  if (src.row) j["row"] = src.row;
  if (!src.protocol.empty())
    j["as_written"] = {{"application_protocol", src.protocol}, {"system_service", src.service}};
  if (!src.quote.empty()) j["quote"] = src.quote;
  return j;
}

std::string ports_text(const Requirement& q) {
  if (!has_ports(q.transport)) return q.icmp_type.empty() ? "" : q.icmp_type;
  return q.ports.to_string();
}

}  // namespace

std::string source_text(const Service& s, const Requirement& q, Lang lang) {
  // Whose answer it is comes first where it is not the KB's (the KB's rows cite its tables).
  std::string out;
  if (q.origin == Origin::user) out = msg::source_user_catalog.in(lang);
  const auto prefix = out.size();
  for (const auto& src : q.sources) {
    if (out.size() > prefix) out += "; ";
    if (!src.kb())
      out += msg::source_doc.in(lang, src.title, src.section);
    else if (src.table == "service")
      out += msg::source_service_row.in(lang, s.section, std::to_string(src.row));
    else if (src.table == "consolidated")
      out += msg::source_consolidated_row.in(lang, std::to_string(src.row));
    else
      out += msg::source_service_text.in(lang,
                                         LocalizedText{s.section.ja, s.section.en.empty() ? s.names.en : s.section.en});
  }
  return out;
}

namespace {
// A value of the data as words of message data; a value with no words (new data) as itself.
LocalizedText words_of(const std::map<std::string_view, Msg>& words, std::string_view value) {
  auto it = words.find(value);
  return it == words.end() ? LocalizedText{std::string(value), std::string(value)} : said(it->second);
}
}  // namespace

LocalizedText direction_words(std::string_view direction) {
  // The data's values stay the JSON's; a person reads them as words.
  static const std::map<std::string_view, Msg> kWords{{"inbound", msg::direction_inbound},
                                                      {"outbound", msg::direction_outbound},
                                                      {"outbound-from", msg::direction_outbound_from},
                                                      {"both", msg::direction_both}};
  return words_of(kWords, direction);
}

LocalizedText os_kind_words(std::string_view kind) {
  static const std::map<std::string_view, Msg> kWords{
      {"client", msg::os_kind_client}, {"server", msg::os_kind_server}, {"both", msg::os_kind_both}};
  return words_of(kWords, kind);
}

LocalizedText correction_words(std::string_view value) {
  static const std::map<std::string_view, Msg> kWords{{"port", msg::correction_field_port},
                                                      {"transport", msg::correction_field_transport},
                                                      {"protocol", msg::correction_field_protocol},
                                                      {"columns", msg::correction_field_columns},
                                                      {"footnote-mark", msg::correction_reason_footnote_mark},
                                                      {"typo", msg::correction_reason_typo},
                                                      {"swapped-columns", msg::correction_reason_swapped_columns},
                                                      {"shifted-columns", msg::correction_reason_shifted_columns}};
  return words_of(kWords, value);
}

LocalizedText origin_words(Origin origin) {
  static const std::map<Origin, Msg> kWords{{Origin::kb, msg::origin_kb},
                                            {Origin::doc, msg::origin_doc},
                                            {Origin::model, msg::origin_model},
                                            {Origin::user, msg::origin_user}};
  return said(kWords.at(origin));
}

LocalizedText discrepancy_kind_words(std::string_view kind) {
  static const std::map<std::string_view, Msg> kWords{
      {"name-differs", msg::discrepancy_kind_name_differs},
      {"consolidated-only", msg::discrepancy_kind_consolidated_only},
      {"not-in-consolidated", msg::discrepancy_kind_not_in_consolidated},
      {"stated", msg::discrepancy_kind_stated},
      {"doc-vs-kb", msg::discrepancy_kind_doc_vs_kb}};
  return words_of(kWords, kind);
}

std::string conditions_text(const Catalog& catalog, const Service& s, const Requirement& q, Lang lang) {
  std::string out;
  auto add = [&](const std::string& t) { out += (out.empty() ? "" : "; ") + t; };
  if (q.optional) add(msg::note_optional.in(lang));
  for (const auto& c : s.conditions) add(describe(catalog, c, lang));
  for (const auto& c : q.conditions) add(describe(catalog, c, lang));
  if (s.obsolete) add(msg::note_not_in_current_windows.in(lang, s.obsolete->why));
  if (q.direction != "inbound") add(msg::note_direction.in(lang, direction_words(q.direction).in(lang)));
  if (!q.listener.empty())
    if (const auto* role = catalog.role(q.listener)) add(msg::note_listener.in(lang, role->names));
  if (q.obsolete) add(msg::note_unused_by_current_windows.in(lang, q.obsolete->why));
  if (q.reply == "any-port") add(msg::note_reply_any_port.in(lang));
  if (q.by_name) add(msg::note_by_name.in(lang));
  return out;
}

nlohmann::json requirement_json(const Catalog& catalog, const Service& s, const Requirement& q) {
  nlohmann::json notes = nlohmann::json::array();
  for (const auto& id : q.notes) notes.push_back({{"id", id}, {"ja", s.notes.at(id).ja}, {"en", s.notes.at(id).en}});
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& src : q.sources) sources.push_back(source_json(s, src));
  nlohmann::json corrections = nlohmann::json::array();
  for (const auto& c : q.corrections)
    corrections.push_back({{"field", c.field}, {"seed", c.seed}, {"corrected", c.corrected}, {"reason", c.reason}});
  nlohmann::json j{{"application_protocol", text_json(q.protocol)},
                   {"transport", std::string(to_string(q.transport))},
                   {"ip_protocol", ip_protocol_number(q.transport)},
                   {"ports", ports_json(q.ports)},
                   {"dynamic_rpc", q.dynamic_rpc()},
                   {"dynamic", q.dynamic.empty() ? nlohmann::json() : nlohmann::json(q.dynamic)},
                   {"optional", q.optional},
                   {"direction", q.direction},
                   {"reply", q.reply},
                   {"conditions", conditions_json(catalog, q.conditions)},
                   {"notes", notes},
                   {"corrections", corrections},
                   {"source", sources},
                   {"origin", std::string(to_string(q.origin))}};
  if (!q.icmp_type.empty()) j["icmp_type"] = q.icmp_type;
  if (!q.listener.empty()) j["listener"] = q.listener;
  if (q.obsolete) j["obsolete"] = obsolete_json(catalog, *q.obsolete);
  if (q.by_name) j["by_name"] = true;
  if (q.derived_from) j["derived_from"] = {{"port", q.derived_from->first}, {"offset", q.derived_from->second}};
  return j;
}

nlohmann::json service_json(const Catalog& catalog, const Service& s) {
  nlohmann::json reqs = nlohmann::json::array();
  for (const auto& q : s.requirements) reqs.push_back(requirement_json(catalog, s, q));
  auto ad = [](const AdRelation& rel) {
    if (!rel.present) return nlohmann::json(false);
    if (rel.when.en.empty()) return nlohmann::json(true);
    return nlohmann::json{{"when", text_json(rel.when)}};
  };
  nlohmann::json notes = nlohmann::json::object();
  for (const auto& [id, t] : s.notes) notes[id] = text_json(t);
  nlohmann::json disc = nlohmann::json::array();
  for (const auto& d : s.discrepancies) disc.push_back(text_json(d));
  nlohmann::json j{
      {"id", s.id},
      {"names", text_json(s.names)},
      {"aliases", s.aliases},
      {"system_service_names", s.system_services},
      {"description", text_json(s.description)},
      {"conditions", conditions_json(catalog, s.conditions)},
      {"uses", s.uses},
      {"active_directory", {{"ad_depends_on", ad(s.ad_depends_on)}, {"depends_on_ad", ad(s.depends_on_ad)}}},
      {"notes", notes},
      {"general_notes", s.general_notes},
      {"discrepancies", disc},
      {"requirements", reqs}};
  j["section"] = s.section.en.empty() ? nlohmann::json() : text_json(s.section);
  if (s.obsolete) j["obsolete"] = obsolete_json(catalog, *s.obsolete);
  return j;
}

nlohmann::json role_json(const Role& r) {
  nlohmann::json j{{"id", r.id},
                   {"names", text_json(r.names)},
                   {"services", r.services},
                   {"optional_services", r.optional_services},
                   {"origin", std::string(to_string(r.origin))}};
  if (!r.kind_of.empty()) j["kind_of"] = r.kind_of;
  for (const auto& [profile, why] : r.refuses) j["refuses"][profile] = text_json(why);
  return j;
}

nlohmann::json catalog_json(const Catalog& catalog) {
  nlohmann::json services = nlohmann::json::array();
  for (const auto& s : catalog.services) services.push_back(service_json(catalog, s));
  nlohmann::json roles = nlohmann::json::array();
  for (const auto& r : catalog.roles) roles.push_back(role_json(r));
  nlohmann::json os = nlohmann::json::array();
  for (const auto& v : catalog.os_versions)
    os.push_back(
        {{"id", v.id}, {"names", text_json(v.names)}, {"dynamic_rpc", v.era == RpcEra::legacy ? "legacy" : "modern"}});
  return {{"version", kExportJsonVersion},
          {"services", services},
          {"roles", roles},
          {"os_versions", os},
          {"dynamic_rpc_ranges",
           {{"legacy", ports_json(catalog.legacy_rpc_range)}, {"modern", ports_json(catalog.modern_rpc_range)}}}};
}

nlohmann::json port_hits_json(const Catalog& catalog, const std::vector<PortHit>& hits) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hits) {
    auto j = requirement_json(catalog, *h.service, *h.requirement);
    j["service"] = {{"id", h.service->id}, {"names", text_json(h.service->names)}};
    j["via_dynamic_range"] = h.via_dynamic_range.empty() ? nlohmann::json() : nlohmann::json(h.via_dynamic_range);
    // Every match stays, in rank order, each with why it ranks where it does.
    j["match"] = {{"rank", static_cast<int>(h.match)}, {"kind", std::string(to_string(h.match))}};
    if (h.matched) j["match"]["ports"] = {h.matched->lo, h.matched->hi};
    out.push_back(std::move(j));
  }
  return out;
}

nlohmann::json discrepancies_json(const std::vector<Discrepancy>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : items) {
    nlohmann::json j{{"kind", d.kind}, {"service", d.service->id}, {"text", text_json(d.text)}};
    if (d.requirement) {
      j["transport"] = std::string(to_string(d.requirement->transport));
      j["ports"] = ports_json(d.requirement->ports);
      j["application_protocol"] = text_json(d.requirement->protocol);
    }
    out.push_back(std::move(j));
  }
  return out;
}

void write_csv(const Catalog& catalog, std::ostream& out, Lang lang) {
  if (lang == Lang::ja) out << "\xEF\xBB\xBF";  // for Excel, as the plan's CSV (src/emit/csv.cpp)
  out << "service,service_name,application_protocol,transport,ports,dynamic_rpc,optional,conditions,source,origin\r\n";
  for (const auto& s : catalog.services)
    for (const auto& q : s.requirements)
      out << csv_field(s.id) << ',' << csv_field(s.names.in(lang)) << ',' << csv_field(q.protocol.in(lang)) << ','
          << to_string(q.transport) << ',' << csv_field(ports_text(q)) << ',' << (q.dynamic_rpc() ? "true" : "false")
          << ',' << (q.optional ? "true" : "false") << ',' << csv_field(conditions_text(catalog, s, q, lang)) << ','
          << csv_field(source_text(s, q, lang)) << ',' << to_string(q.origin) << "\r\n";
}

void write_markdown(const Catalog& catalog, std::ostream& out, Lang lang) {
  out << msg::export_md_title.in(lang) << '\n';
  for (const auto& s : catalog.services) {
    out << "\n## " << md_cell(s.names.in(lang)) << " (`" << s.id << "`)\n\n"
        << md_cell(s.description.in(lang)) << "\n\n";
    out << msg::export_md_columns.in(lang) << '\n';
    out << "|---|---|---|---|---|---|\n";
    for (const auto& q : s.requirements)
      out << "| " << md_cell(q.protocol.in(lang)) << " | " << to_string(q.transport) << " | " << md_cell(ports_text(q))
          << " | " << md_cell(conditions_text(catalog, s, q, lang)) << " | " << md_cell(source_text(s, q, lang))
          << " | " << origin_words(q.origin).in(lang) << " |\n";
  }
}

}  // namespace winports::catalog
