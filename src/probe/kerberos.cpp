// Kerberos (UDP 88) and kpasswd (UDP 464). An AS-REQ for a principal that does not exist makes any
// KDC answer with a KRB-ERROR (principal unknown, pre-authentication required, wrong realm …):
// each proves a KDC listens without knowing an account. kpasswd (RFC 3244) is sent a request whose
// AP-REQ is empty; a kpasswd server answers with its own framing around a KRB-ERROR.
#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "winports/probe/messages.hpp"
#include "winports/probe/protocols.hpp"
#include "winports/wire/ber.hpp"
#include "winports/wire/bytes.hpp"

namespace winports::probe {

namespace ber = wire::ber;
namespace {

std::string realm_of(const Hints& hints) {
  std::string realm = hints.domain.empty() ? "WINPORTS.INVALID" : hints.domain;
  std::transform(realm.begin(), realm.end(), realm.begin(), [](unsigned char c) { return std::toupper(c); });
  return realm;
}

void principal(ber::Writer& w, int type, std::initializer_list<std::string_view> parts) {
  w.begin(0x30).begin(0xa0).integer(type).end().begin(0xa1).begin(0x30);
  for (auto p : parts) w.octets(p, 0x1b);  // GeneralString
  w.end().end().end();
}

const char* error_name(long long code) {
  static constexpr std::array<std::pair<int, const char*>, 12> kNames = {{
      {6, "KDC_ERR_C_PRINCIPAL_UNKNOWN"},
      {7, "KDC_ERR_S_PRINCIPAL_UNKNOWN"},
      {14, "KDC_ERR_ETYPE_NOSUPP"},
      {18, "KDC_ERR_CLIENT_REVOKED"},
      {24, "KDC_ERR_PREAUTH_FAILED"},
      {25, "KDC_ERR_PREAUTH_REQUIRED"},
      {31, "KRB_AP_ERR_BAD_INTEGRITY"},
      {37, "KRB_AP_ERR_SKEW"},
      {41, "KRB_AP_ERR_MODIFIED"},
      {60, "KRB_ERR_GENERIC"},
      {61, "KRB_ERR_FIELD_TOOLONG"},
      {68, "KDC_ERR_WRONG_REALM"},
  }};
  for (auto [c, name] : kNames)
    if (c == code) return name;
  return "";
}

// A KRB-ERROR ([APPLICATION 30]) or an AS-REP ([APPLICATION 11]), described.
std::optional<LocalizedText> describe(std::span<const std::uint8_t> reply) {
  auto outer = ber::Reader(reply).next();
  if (!outer || (outer->tag != 0x7e && outer->tag != 0x6b)) return std::nullopt;
  auto body = ber::only(outer->value, 0x30);
  if (!body) return std::nullopt;
  if (outer->tag == 0x6b) return LocalizedText{{}, "Kerberos AS-REP"};
  ber::Reader fields(body->value);
  std::optional<long long> pvno, code;
  std::string realm;
  while (auto f = fields.next()) {
    auto inner = ber::Reader(f->value).next();
    if (!inner) return std::nullopt;
    if (f->tag == 0xa0) pvno = ber::integer(*inner);
    if (f->tag == 0xa6) code = ber::integer(*inner);
    if (f->tag == 0xa9) realm = wire::printable(inner->value, 80);
  }
  if (!fields.ok() || pvno != 5 || !code) return std::nullopt;
  std::string name = error_name(*code);
  return msg::ev_krb_error(std::to_string(*code) + (name.empty() ? "" : " " + name),
                           realm.empty() ? LocalizedText{} : msg::ev_krb_realm(realm));
}

}  // namespace

std::vector<std::uint8_t> kerberos_request(std::uint16_t id, const Hints& hints) {
  auto realm = realm_of(hints);
  ber::Writer w;
  w.begin(0x6a).begin(0x30);                                     // AS-REQ ::= [APPLICATION 10] KDC-REQ
  w.begin(0xa1).integer(5).end().begin(0xa2).integer(10).end();  // pvno 5, msg-type AS-REQ
  w.begin(0xa4).begin(0x30);                                     // req-body
  w.begin(0xa0).primitive(0x03, {0, 0, 0, 0, 0}).end();          // kdc-options: none
  w.begin(0xa1);
  principal(w, 1, {"winports-probe"});  // cname: NT-PRINCIPAL no directory holds
  w.end();
  w.begin(0xa2).octets(realm, 0x1b).end();
  w.begin(0xa3);
  principal(w, 2, {"krbtgt", realm});  // sname: NT-SRV-INST krbtgt/REALM
  w.end();
  w.begin(0xa5).octets("20370913024805Z", 0x18).end();                        // till
  w.begin(0xa7).integer(0x5750 << 16 | id).end();                             // nonce
  w.begin(0xa8).begin(0x30).integer(18).integer(17).integer(23).end().end();  // aes256, aes128, rc4
  w.end().end().end().end();
  return w.take();
}

std::optional<LocalizedText> kerberos_parse(std::span<const std::uint8_t> reply, std::uint16_t) {
  return describe(reply);
}

std::vector<std::uint8_t> kpasswd_request(std::uint16_t, const Hints&) {
  // message length, version 1 (change password), AP-REQ length 0, then a KRB-PRIV that is only an
  // empty tag: too little to change anything, enough for the server to reply with an error.
  wire::Bytes out;
  wire::put_be16(out, 0);
  wire::put_be16(out, 1);
  wire::put_be16(out, 0);
  ber::Writer priv;
  priv.begin(0x75).begin(0x30).begin(0xa0).integer(5).end().begin(0xa1).integer(21).end().end().end();  // KRB-PRIV
  auto body = priv.take();
  out.insert(out.end(), body.begin(), body.end());
  out[0] = static_cast<std::uint8_t>(out.size() >> 8);
  out[1] = static_cast<std::uint8_t>(out.size());
  return out;
}

std::optional<LocalizedText> kpasswd_parse(std::span<const std::uint8_t> reply, std::uint16_t) {
  // A kpasswd reply: length, version 1, AP-REP length, AP-REP, then KRB-PRIV or KRB-ERROR. Some
  // servers answer a request they cannot decode with a bare KRB-ERROR.
  if (auto bare = describe(reply)) return msg::ev_kpasswd_bare(*bare);
  if (reply.size() < 6 || wire::be16(reply, 0) != reply.size() || wire::be16(reply, 2) != 1) return std::nullopt;
  std::size_t ap_rep = wire::be16(reply, 4);
  if (6 + ap_rep > reply.size()) return std::nullopt;
  auto rest = reply.subspan(6 + ap_rep);
  if (auto error = describe(rest)) return msg::ev_kpasswd_reply(*error);
  if (!rest.empty() && rest[0] == 0x75) return msg::ev_kpasswd_priv();
  return std::nullopt;
}

}  // namespace winports::probe
