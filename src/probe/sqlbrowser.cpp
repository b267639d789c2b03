// SQL Server Browser (UDP 1434): CLNT_UCAST_EX (MC-SQLR 2.2.2) asks for every instance; the
// SVR_RESP lists each instance's name, version and TCP port as ";"-separated key/value pairs.
#include "winports/probe/messages.hpp"
#include "winports/probe/protocols.hpp"
#include "winports/wire/bytes.hpp"

namespace winports::probe {

std::vector<std::uint8_t> sqlbrowser_request(std::uint16_t, const Hints&) { return {0x03}; }

std::optional<LocalizedText> sqlbrowser_parse(std::span<const std::uint8_t> reply, std::uint16_t) {
  if (reply.size() < 3 || reply[0] != 0x05) return std::nullopt;
  std::size_t size = wire::le16(reply, 1);
  if (size + 3 > reply.size()) return std::nullopt;
  std::string text(reply.begin() + 3, reply.begin() + 3 + static_cast<std::ptrdiff_t>(size));
  // Instances end with ";;"; inside one, keys and values alternate.
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find(";;", at);
    if (end == std::string::npos) end = text.size();
    std::string instance, version, port;
    std::size_t p = at;
    while (p < end) {
      auto k_end = text.find(';', p);
      if (k_end == std::string::npos || k_end >= end) break;
      auto v_end = text.find(';', k_end + 1);
      if (v_end == std::string::npos || v_end > end) v_end = end;
      auto key = text.substr(p, k_end - p), value = text.substr(k_end + 1, v_end - k_end - 1);
      if (key == "InstanceName") instance = value;
      if (key == "Version") version = value;
      if (key == "tcp") port = value;
      p = v_end + 1;
    }
    if (!instance.empty())
      out += (out.empty() ? "" : "; ") + instance + (version.empty() ? "" : " " + version) +
             (port.empty() ? "" : " tcp/" + port);
    at = end + 2;
  }
  wire::View printable_view(reinterpret_cast<const std::uint8_t*>(out.data()), out.size());
  return msg::ev_sqlbrowser(out.empty() ? msg::ev_sqlbrowser_none()
                                        : LocalizedText{{}, wire::printable(printable_view, 200)});
}

}  // namespace winports::probe
