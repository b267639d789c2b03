// SNMP (UDP 161): a v2c GetRequest for sysDescr.0 with the configured community. An agent answers
// only a community it knows; silence therefore stays "listening or filtered", never "not listening".
#include "winports/probe/messages.hpp"
#include "winports/probe/protocols.hpp"
#include "winports/wire/ber.hpp"
#include "winports/wire/bytes.hpp"

namespace winports::probe {

namespace ber = wire::ber;

std::vector<std::uint8_t> snmp_request(std::uint16_t id, const Hints& hints) {
  ber::Writer w;
  w.begin(0x30).integer(1).octets(hints.community);  // version 2c, community
  w.begin(0xa0).integer(id).integer(0).integer(0);   // GetRequest-PDU
  w.begin(0x30).begin(0x30).primitive(0x06, {0x2b, 6, 1, 2, 1, 1, 1, 0}).primitive(0x05, {}).end().end();
  w.end().end();
  return w.take();
}

std::optional<LocalizedText> snmp_parse(std::span<const std::uint8_t> reply, std::uint16_t id) {
  auto message = ber::only(reply, 0x30);
  if (!message) return std::nullopt;
  ber::Reader fields(message->value);
  auto version = fields.next_if(0x02);
  auto community = fields.next_if(0x04);
  auto pdu = fields.next_if(0xa2);  // Response-PDU
  if (!version || !community || !pdu) return std::nullopt;
  ber::Reader body(pdu->value);
  auto request_id = body.next_if(0x02), status = body.next_if(0x02), index = body.next_if(0x02);
  if (!request_id || !status || !index || ber::integer(*request_id) != id) return std::nullopt;
  auto v = ber::integer(*version).value_or(-1);
  const char* version_name = v == 1 ? "v2c" : v == 0 ? "v1" : "v?";
  if (auto e = ber::integer(*status); e && *e != 0) return msg::ev_snmp_error(version_name, std::to_string(*e));
  if (auto list = body.next_if(0x30))
    if (auto bind = ber::Reader(list->value).next_if(0x30)) {
      ber::Reader pair(bind->value);
      pair.next_if(0x06);
      if (auto value = pair.next_if(0x04)) return msg::ev_snmp_sysdescr(version_name, wire::printable(value->value));
    }
  return msg::ev_snmp(version_name);
}

}  // namespace winports::probe
