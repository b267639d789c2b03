// HTTP (WinRM 5985, 47001, web 80): a GET of /wsman. WinRM's HTTP.sys answers 405 or 404 with
// "Server: Microsoft-HTTPAPI/2.0"; any status line proves an HTTP server, the Server header says whose.
#include <cctype>

#include "one_shot.hpp"
#include "winports/probe/messages.hpp"

namespace winports::probe {
namespace {

Step parse(wire::View received) {
  std::string text(received.begin(), received.end());
  auto headers_end = text.find("\r\n\r\n");
  if (headers_end == std::string::npos) return text.size() > 16384 ? failed(msg::ev_http_headers_too_long()) : wait();
  if (text.rfind("HTTP/1.", 0) != 0 || text.size() < 12) return failed(msg::ev_not_http());
  auto line_end = text.find("\r\n");
  std::string out = "HTTP " + text.substr(9, std::min<std::size_t>(line_end, 60) - 9);
  std::string lower = text.substr(0, headers_end + 2);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto at = lower.find("\r\nserver:"); at != std::string::npos) {
    auto start = lower.find_first_not_of(' ', at + 9), end = lower.find("\r\n", at + 2);
    wire::View value(received.subspan(start, end - start));
    out += ", Server: " + wire::printable(value, 80);
  }
  wire::View line(reinterpret_cast<const std::uint8_t*>(out.data()), out.size());
  return proved(as_sent(wire::printable(line, 160)));  // the server's own status line
}

}  // namespace

std::unique_ptr<TcpConversation> http_start(const Hints&) {
  std::string request =
      "GET /wsman HTTP/1.1\r\nHost: winports-probe\r\nUser-Agent: winports\r\nConnection: close\r\n\r\n";
  return one_shot({request.begin(), request.end()}, parse);
}

}  // namespace winports::probe
