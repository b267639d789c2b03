#pragma once
// LDAP messages shared by the CLDAP ping (UDP 389) and the rootDSE read (TCP 389/3268): a base-scope
// search of the root and the entry that answers it (RFC 4511 §4.5).
#include <map>
#include <string>
#include <vector>

#include "winports/wire/ber.hpp"

namespace winports::wire::ldap {

// A base search of "" with the filter the caller writes into the writer, asking for `attributes`.
template <class Filter>
ber::Bytes search_root(int message_id, Filter&& filter, std::initializer_list<std::string_view> attributes) {
  ber::Writer w;
  w.begin(0x30).integer(message_id).begin(0x63);  // LDAPMessage, SearchRequest [APPLICATION 3]
  w.octets("").integer(0, 0x0a).integer(0, 0x0a).integer(0).integer(0).primitive(0x01, {0});
  filter(w);
  w.begin(0x30);
  for (auto a : attributes) w.octets(a);
  w.end().end().end();
  return w.take();
}

struct Entry {
  std::string dn;
  std::map<std::string, std::vector<std::string>> attributes;  // lower-case names
};

// The SearchResultEntry ([APPLICATION 4]) in one LDAPMessage with this id, or nullopt.
inline std::optional<Entry> search_entry(ber::View message, int message_id) {
  auto outer = ber::Reader(message).next();
  if (!outer || outer->tag != 0x30) return std::nullopt;
  ber::Reader fields(outer->value);
  auto id = fields.next();
  auto op = fields.next();
  if (!id || !op || id->tag != 0x02 || ber::integer(*id) != message_id || op->tag != 0x64) return std::nullopt;
  ber::Reader body(op->value);
  auto dn = body.next();
  auto list = body.next();
  if (!dn || !list || dn->tag != 0x04 || list->tag != 0x30) return std::nullopt;
  Entry entry{ber::text(*dn), {}};
  ber::Reader attributes(list->value);
  while (auto attribute = attributes.next()) {
    ber::Reader parts(attribute->value);
    auto type = parts.next();
    auto values = parts.next();
    if (!type || !values || type->tag != 0x04 || values->tag != 0x31) return std::nullopt;
    std::string name = ber::text(*type);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& out = entry.attributes[name];
    ber::Reader vals(values->value);
    while (auto v = vals.next()) out.push_back(ber::text(*v));
    if (!vals.ok()) return std::nullopt;
  }
  if (!attributes.ok()) return std::nullopt;
  return entry;
}

}  // namespace winports::wire::ldap
