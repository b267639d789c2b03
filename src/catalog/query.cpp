#include "winports/catalog/query.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "winports/catalog/messages.hpp"
#include "winports/core/text.hpp"

namespace winports::catalog {
namespace {

template <class F>
void for_each_name(const Service& s, F&& f) {
  f(s.id, 0);
  f(s.names.ja, 0);
  f(s.names.en, 0);
  for (const auto& a : s.aliases) f(a, 1);
  for (const auto& a : s.system_services) f(a, 1);
}

// Built with append rather than operator+ to dodge GCC 12's false -Wrestrict on short literals.
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.append(1, '\'').append(s).append(1, '\'');
  return out;
}

bool has_source(const Requirement& q, std::string_view table) {
  return std::any_of(q.sources.begin(), q.sources.end(), [&](const Source& s) { return s.table == table; });
}

}  // namespace

std::vector<const Service*> find_services(const Catalog& catalog, std::string_view name) {
  auto key = fold_for_match(name);
  std::vector<const Service*> out;
  if (key.empty()) return out;
  for (const auto& s : catalog.services) {
    bool hit = false;
    for_each_name(s, [&](const std::string& n, int) { hit = hit || fold_for_match(n) == key; });
    if (hit) out.push_back(&s);
  }
  return out;
}

namespace {

// How much of a name a service's names hold, each shared piece weighted by how rare it is in the
// catalog (inverse document frequency over pairs of characters): 「タイムサービス」 shares the common
// 「サービス」 with a dozen services but 「タイム」 with Windows Time alone, so the meaning outranks the
// spelling that sorts first. Pairs rather than words: Japanese names have no spaces to split at.
class NameRanker {
 public:
  explicit NameRanker(const Catalog& catalog) {
    for (const auto& s : catalog.services) {
      std::set<std::string> pairs;
      for_each_name(s, [&](const std::string& n, int) {
        for (auto& p : code_point_pairs(fold_for_match(n))) pairs.insert(std::move(p));
      });
      for (const auto& p : pairs) ++services_with_[p];
      pairs_.push_back(std::move(pairs));
    }
  }

  // 0 (nothing shared) to 1 (every piece of the name is somewhere in the service's names).
  double score(std::size_t service, const std::vector<std::string>& name_pairs) const {
    double shared = 0, all = 0;
    for (const auto& p : name_pairs) {
      auto it = services_with_.find(p);
      double weight = std::log((pairs_.size() + 1.0) / ((it == services_with_.end() ? 0 : it->second) + 1.0));
      all += weight;
      if (pairs_[service].count(p)) shared += weight;
    }
    return all > 0 ? shared / all : 0;
  }

 private:
  std::vector<std::set<std::string>> pairs_;  // per service, in catalog order
  std::map<std::string, std::size_t> services_with_;
};

}  // namespace

std::vector<std::string> suggest_names(const Catalog& catalog, std::string_view name, std::size_t limit) {
  auto key = fold_for_match(name);
  if (key.empty()) return {};
  const NameRanker ranker(catalog);
  const auto key_pairs = code_point_pairs(key);
  const std::size_t key_length = std::max<std::size_t>(1, edit_distance(key, ""));
  const std::size_t typo_bound = std::max<std::size_t>(2, key_length / 3);
  std::vector<std::tuple<double, std::size_t, std::string>> scored;  // closeness (negated), distance, id
  for (std::size_t i = 0; i < catalog.services.size(); ++i) {
    const auto& s = catalog.services[i];
    // A typo ("netlogn") is near by spelling even where its pieces are not rare.
    std::size_t distance = SIZE_MAX;
    for_each_name(s, [&](const std::string& n, int) {
      auto folded = fold_for_match(n);
      distance = std::min(distance, folded.find(key) != std::string::npos ? 1 : edit_distance(key, folded));
    });
    double spelling =
        distance <= typo_bound ? 1.0 - static_cast<double>(distance) / static_cast<double>(key_length) : 0;
    double meaning = ranker.score(i, key_pairs);
    double closeness = std::max(spelling, meaning >= 0.5 ? meaning : 0);
    if (closeness > 0) scored.emplace_back(-closeness, distance, s.id);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (const auto& [closeness, distance, id] : scored) {
    if (out.size() == limit) break;
    out.push_back(id);
  }
  return out;
}

Result<PortQuery> parse_port_query(std::string_view text) {
  PortQuery q;
  q.text = std::string(text);
  auto sep = text.find_first_of("/:");
  std::string_view number = text;
  std::string_view proto;
  if (sep != std::string_view::npos) {
    auto a = text.substr(0, sep);
    auto b = text.substr(sep + 1);
    bool a_is_number = !a.empty() && std::isdigit(static_cast<unsigned char>(a.front()));
    number = a_is_number ? a : b;
    proto = a_is_number ? b : a;
  } else if (text.size() > 1 && (text.front() == '-' || text.front() == '+') &&
             std::isdigit(static_cast<unsigned char>(text[1]))) {
    // "-1" looks like a number, not a protocol name: say so.
    return Error{"", 0, 0, "PORT", msg::port_not_a_number(quoted(text))};
  } else if (!text.empty() && !std::isdigit(static_cast<unsigned char>(text.front()))) {
    proto = text;
    number = {};
  }
  if (!proto.empty()) {
    q.transport = parse_transport(proto);
    if (!q.transport) return Error{"", 0, 0, "PORT", msg::port_not_a_transport(quoted(proto))};
  }
  if (!number.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc{} || end != number.data() + number.size() || value > 65535)
      return Error{"", 0, 0, "PORT", msg::port_not_a_number(quoted(number))};
    q.port = static_cast<std::uint16_t>(value);
    if (q.transport && !has_ports(*q.transport))
      return Error{"", 0, 0, "PORT", msg::port_transport_has_none(to_string(*q.transport))};
  }
  if (!q.port && !q.transport) return Error{"", 0, 0, "PORT", msg::port_empty()};
  if (!q.port && q.transport && has_ports(*q.transport))
    return Error{"", 0, 0, "PORT", msg::port_needs_number(to_string(*q.transport))};
  return q;
}

Decode port_lookup_parts(std::vector<PortQuery> queries) {
  Decode only;
  only.service_texts = false;
  only.profiles = only.rpc_interfaces = only.port_settings = only.documents = only.predefined_rules = only.products =
      false;
  // The same tests as lookup_port's, on the rows' ports alone; a superset is harmless (lookup_port
  // decides), a service missed would be a wrong answer: tests/unit/query_test.cpp compares both.
  only.services = [queries = std::move(queries)](const Catalog& so_far, const ServicePorts& service) {
    auto answers = [&](const PortQuery& query, const ServicePorts::Row& row) {
      if (query.transport && row.transport != *query.transport) return false;
      if (!query.port) return true;
      if (!has_ports(row.transport)) return false;
      return row.ports.contains(*query.port) || (row.dynamic && (so_far.modern_rpc_range.contains(*query.port) ||
                                                                 so_far.legacy_rpc_range.contains(*query.port)));
    };
    return std::any_of(queries.begin(), queries.end(), [&](const PortQuery& query) {
      return std::any_of(service.rows.begin(), service.rows.end(),
                         [&](const auto& row) { return answers(query, row); }) ||
             std::find(service.port_seeds.begin(), service.port_seeds.end(), query.text) != service.port_seeds.end();
    });
  };
  return only;
}

std::string_view to_string(PortMatch match) {
  static constexpr std::array<std::string_view, 4> kNames{"exact", "range", "wide-range", "dynamic-range"};
  return kNames[static_cast<std::size_t>(match)];
}

std::vector<PortHit> lookup_port(const Catalog& catalog, const PortQuery& query) {
  std::vector<PortHit> out;
  for (const auto& s : catalog.services) {
    for (const auto& q : s.requirements) {
      if (query.transport && q.transport != *query.transport) continue;
      if (!query.port) {  // port-less transport query
        out.push_back({&s, &q, "", PortMatch::exact, std::nullopt});
        continue;
      }
      if (!has_ports(q.transport)) continue;
      const auto port = *query.port;
      if (q.ports.contains(port)) {
        PortRange holding{};
        for (auto r : q.ports.ranges())
          if (r.contains(port)) holding = r;
        auto match = holding.size() == 1           ? PortMatch::exact
                     : holding.size() < kWideRange ? PortMatch::range
                                                   : PortMatch::wide_range;
        out.push_back({&s, &q, "", match, holding});
      } else if (!q.dynamic.empty()) {
        for (auto [era, range] :
             {std::pair{"modern", &catalog.modern_rpc_range}, std::pair{"legacy", &catalog.legacy_rpc_range}}) {
          if (!range->contains(port)) continue;
          std::optional<PortRange> holding;
          for (auto r : range->ranges())
            if (r.contains(port)) holding = r;
          out.push_back({&s, &q, era, PortMatch::dynamic_range, holding});
          break;
        }
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const PortHit& a, const PortHit& b) { return a.match < b.match; });
  return out;
}

PortMeaning port_meaning(const Catalog& catalog, Transport transport, std::uint16_t port) {
  PortQuery q{transport, std::nullopt, ""};
  if (has_ports(transport)) q.port = port;
  PortMeaning m;
  auto add_era = [&](std::string_view era) {
    if (!era.empty() && m.dynamic_range.find(era) == std::string::npos)
      m.dynamic_range += (m.dynamic_range.empty() ? "" : ",") + std::string(era);
  };
  auto hits = lookup_port(catalog, q);
  // The best meaning only: rows printing the port itself hide those whose narrow ranges hold it.
  const auto best = hits.empty() ? PortMatch::exact : hits.front().match;
  for (const auto& hit : hits) {
    if (hit.match == PortMatch::dynamic_range) {
      add_era(hit.via_dynamic_range);
      continue;
    }
    // A printed range that is a whole dynamic RPC range ("49152-65535") says the same as a
    // dynamic requirement.
    if (hit.match == PortMatch::wide_range)
      add_era(catalog.modern_rpc_range.contains(port)   ? "modern"
              : catalog.legacy_rpc_range.contains(port) ? "legacy"
                                                        : "");
    if (!hit.wide() && hit.match != best) continue;
    if (!hit.service->identifies_as.empty()) continue;  // its traffic is named as those services
    auto& list = hit.wide() ? m.wide : m.services;
    if (std::find(list.begin(), list.end(), hit.service->id) == list.end()) list.push_back(hit.service->id);
  }
  if (!m.services.empty()) m.dynamic_range.clear();
  return m;
}

std::string Meaning::text(Lang lang) const {
  if (!services.empty()) return join(services, ",");
  if (!dynamic_range.empty()) {
    // "modern,legacy" in the JSON; words of the run's language here.
    std::string eras;
    for (std::size_t start = 0; start < dynamic_range.size();) {
      auto end = std::min(dynamic_range.find(',', start), dynamic_range.size());
      auto era = std::string_view(dynamic_range).substr(start, end - start);
      eras += (eras.empty() ? std::string() : msg::list_separator.in(lang)) +
              (era == "legacy" ? msg::rpc_era_legacy : msg::rpc_era_modern).in(lang);
      start = end + 1;
    }
    return msg::meaning_dynamic_range.in(lang, eras);
  }
  if (!wide.empty()) return msg::meaning_high_port.in(lang, join(wide, ","));
  return msg::meaning_unknown.in(lang);
}

Meaning describe(const Catalog& catalog, Transport transport, std::uint16_t port,
                 std::optional<InterfaceRef> interface) {
  Meaning m;
  const RpcInterface* known = nullptr;
  if (interface) {
    known = catalog.rpc_interface(interface->uuid);
    m.interface = known                            ? known->name
                  : !interface->annotation.empty() ? std::string(interface->annotation)
                                                   : std::string(interface->uuid);
    m.services.push_back(known && !known->service.empty() ? known->service : "rpc");
  }
  if (interface && (!known || known->service != "rpc")) return m;
  auto printed = port_meaning(catalog, transport, port);
  for (auto& id : printed.services)
    if (std::find(m.services.begin(), m.services.end(), id) == m.services.end()) m.services.push_back(std::move(id));
  if (m.services.empty()) m.wide = std::move(printed.wide), m.dynamic_range = std::move(printed.dynamic_range);
  return m;
}

namespace {

// Whether the folded `key` starts at a word of `candidate`: "LAPS" is not in "olap-services", while
// "password change" is in "Kerberos password change". Japanese puts no space between words, so a key
// that is not ASCII matches anywhere.
bool found_at_word(std::string_view candidate, const std::string& key) {
  if (fold_for_match(candidate).find(key) == std::string::npos) return false;
  if (std::any_of(key.begin(), key.end(), [](unsigned char c) { return c >= 0x80; })) return true;
  auto word = [](unsigned char c) { return std::isalnum(c) != 0; };
  for (std::size_t i = 0; i < candidate.size(); ++i)
    if (word(candidate[i]) && (i == 0 || !word(candidate[i - 1])) &&
        fold_for_match(candidate.substr(i)).rfind(key, 0) == 0)
      return true;
  return false;
}

}  // namespace

std::vector<SearchHit> search(const Catalog& catalog, std::string_view text) {
  auto key = fold_for_match(text);
  std::vector<SearchHit> out;
  if (key.empty()) return out;
  for (const auto& s : catalog.services) {
    SearchHit best{&s, 99, ""};
    auto consider = [&](const std::string& candidate, int rank) {
      if (rank < best.rank && found_at_word(candidate, key)) best.rank = rank, best.matched = candidate;
    };
    for_each_name(s, consider);
    for (const auto& q : s.requirements) consider(q.protocol.ja, 2), consider(q.protocol.en, 2);
    consider(s.description.ja, 3);
    consider(s.description.en, 3);
    for (const auto& [id, note] : s.notes) consider(note.ja, 3), consider(note.en, 3);
    if (best.rank < 99) out.push_back(best);
  }
  std::stable_sort(out.begin(), out.end(), [](const SearchHit& a, const SearchHit& b) { return a.rank < b.rank; });
  return out;
}

namespace {

// A row's printed ports as "tcp/587" words, for the comparison of a product's KB and doc rows.
std::string row_ports(const Requirement& q) {
  return std::string(to_string(q.transport)) + (q.ports.empty() ? "" : "/" + q.ports.to_string());
}

// Where a product's rows from another Microsoft document and the KB's rows of its earlier version
// differ: each side's rows whose transport and ports the other side prints nowhere.
void differences_from_kb(const Catalog& catalog, const Service& doc, std::vector<Discrepancy>& out) {
  const auto* kb = catalog.service(doc.kb_counterpart);
  if (!kb) return;
  auto printed_in = [](const Service& s, const Requirement& q) {
    return std::any_of(s.requirements.begin(), s.requirements.end(), [&](const Requirement& other) {
      return other.transport == q.transport && !other.ports.intersect(q.ports).empty();
    });
  };
  for (const auto& q : doc.requirements)
    if (has_ports(q.transport) && !printed_in(*kb, q))
      out.push_back({"doc-vs-kb", &doc, &q, msg::discrepancy_doc_not_kb(row_ports(q), q.protocol, kb->names)});
  std::set<std::string> said;  // the KB prints some rows twice (consolidated rows 43 and 51: RPC 135)
  for (const auto& q : kb->requirements)
    if (has_ports(q.transport) && !printed_in(doc, q) && said.insert(row_ports(q)).second)
      out.push_back(
          {"doc-vs-kb", &doc, &q, msg::discrepancy_kb_not_doc(row_ports(q), q.protocol, kb->names, doc.names)});
}

}  // namespace

std::vector<Discrepancy> discrepancies(const Catalog& catalog) {
  std::vector<Discrepancy> out;
  for (const auto& s : catalog.services) {
    if (!s.kb_counterpart.empty()) differences_from_kb(catalog, s, out);
    for (const auto& d : s.discrepancies) out.push_back({"stated", &s, nullptr, d});
    for (const auto& q : s.requirements) {
      const bool in_service_table = has_source(q, "service");
      const bool in_consolidated = has_source(q, "consolidated");
      if (!s.section.en.empty() && in_consolidated && !in_service_table && !has_source(q, "text")) {
        out.push_back({"consolidated-only", &s, &q, msg::discrepancy_consolidated_only(s.section)});
      }
      if (in_service_table && !in_consolidated) {
        out.push_back({"not-in-consolidated", &s, &q, msg::discrepancy_not_in_consolidated()});
      }
      if (!in_service_table || !in_consolidated) continue;
      auto own = fold_for_match(q.protocol.ja);
      for (const auto& src : q.sources) {
        if (src.table != "consolidated") continue;
        auto other = fold_for_match(src.protocol);
        // One name containing the other ("LDAP サーバー" in "…(LDAP) サーバー") is the same name.
        if (own.find(other) == std::string::npos && other.find(own) == std::string::npos) {
          out.push_back({"name-differs", &s, &q,
                         msg::discrepancy_name_differs(q.protocol.ja, std::to_string(src.row), src.protocol)});
        }
      }
    }
  }
  return out;
}

}  // namespace winports::catalog
