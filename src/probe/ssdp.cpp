// SSDP (UDP 1900): a unicast M-SEARCH for every service (UPnP Device Architecture 1.1 §1.3.2).
// A device answers "HTTP/1.1 200 OK" with SERVER, ST and USN headers.
#include <cctype>
#include <string>

#include "winports/probe/messages.hpp"
#include "winports/probe/protocols.hpp"
#include "winports/wire/bytes.hpp"

namespace winports::probe {

std::vector<std::uint8_t> ssdp_request(std::uint16_t, const Hints&) {
  std::string text =
      "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n";
  return {text.begin(), text.end()};
}

std::optional<LocalizedText> ssdp_parse(std::span<const std::uint8_t> reply, std::uint16_t) {
  std::string text(reply.begin(), reply.end());
  if (text.rfind("HTTP/1.1 200", 0) != 0 && text.rfind("HTTP/1.0 200", 0) != 0) return std::nullopt;
  std::string out;  // the headers, as sent
  std::string upper = text;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* header : {"\r\nSERVER:", "\r\nST:"}) {
    auto at = upper.find(header);
    if (at == std::string::npos) continue;
    auto start = at + std::char_traits<char>::length(header);
    while (start < text.size() && text[start] == ' ') ++start;
    auto end = text.find("\r\n", start);
    auto value = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    wire::View v(reinterpret_cast<const std::uint8_t*>(value.data()), value.size());
    out += ", " + std::string(header + 2, std::char_traits<char>::length(header) - 3) + " " + wire::printable(v, 100);
  }
  return msg::ev_ssdp(out);
}

}  // namespace winports::probe
