// LDAP (TCP 389, global catalog 3268): an anonymous rootDSE read, which every AD DC allows. The
// entry names the DC and the naming contexts it holds.
#include "winports/wire/ldap.hpp"

#include "one_shot.hpp"
#include "winports/probe/messages.hpp"

namespace winports::probe {

namespace ber = wire::ber;
namespace ldap = wire::ldap;
namespace {

constexpr int kMessageId = 1;

Step parse(wire::View received) {
  if (!received.empty() && received[0] != 0x30) return failed(msg::ev_not_ldap());
  auto size = ber::tlv_size(received);
  if (!size) return wait();
  if (*size == 0) return failed(msg::ev_not_ldap());
  if (received.size() < *size) return wait();
  auto entry = ldap::search_entry(received.first(*size), kMessageId);
  if (!entry) return failed(msg::ev_not_rootdse());
  auto first = [&](const char* name) {
    auto it = entry->attributes.find(name);
    return it == entry->attributes.end() || it->second.empty() ? std::string("?") : it->second.front();
  };
  // Attribute names as the directory spells them.
  return proved(as_sent("LDAP rootDSE: dnsHostName " + first("dnshostname") + ", defaultNamingContext " +
                        first("defaultnamingcontext")));
}

}  // namespace

std::unique_ptr<TcpConversation> ldap_start(const Hints&) {
  auto request = ldap::search_root(kMessageId, [](ber::Writer& w) { w.octets("objectClass", 0x87); },  // present filter
                                   {"dnsHostName", "defaultNamingContext", "supportedLDAPVersion"});
  return one_shot(std::move(request), parse);
}

}  // namespace winports::probe
