#include "winports/probe/local.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "winports/core/file.hpp"
#include "winports/probe/messages.hpp"

namespace winports::probe {
namespace {

constexpr unsigned kTcpListen = 0x0A;

Result<std::uint64_t> hex_field(std::string_view text, std::string_view source, int line, const char* field,
                                std::size_t max_digits) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || text.size() > max_digits)
    return Error{std::string(source), line, 0, field, msg::local_not_hex(text)};
  return value;
}

// "0100007F:0CEA": the address as the kernel prints it — 32-bit words in host byte order — and
// the port in hex.
Result<std::pair<Network, std::uint16_t>> endpoint(std::string_view text, int family, std::string_view source, int line,
                                                   const char* field) {
  const std::size_t digits = family == 4 ? 8 : 32;
  auto colon = text.find(':');
  if (colon != digits) return Error{std::string(source), line, 0, field, msg::local_not_endpoint(text)};
  Network n;
  n.family = family;
  n.prefix = family == 4 ? 32 : 128;
  for (std::size_t word = 0; word < digits / 8; ++word) {
    auto value = hex_field(text.substr(word * 8, 8), source, line, field, 8);
    if (!value) return value.error();
    auto v = static_cast<std::uint32_t>(*value);
    // Host byte order: the kernel prints the in-memory word with %08X, so on this machine
    // memcpy gives back the network-order bytes.
    std::memcpy(n.bytes.data() + word * 4, &v, 4);
  }
  auto port = hex_field(text.substr(colon + 1), source, line, field, 4);
  if (!port) return port.error();
  return std::pair{n, static_cast<std::uint16_t>(*port)};
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    auto start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// inode → processes, from every /proc/PID/fd/N link "socket:[INODE]" this user may read.
std::map<std::uint64_t, std::vector<LocalProcess>> socket_owners(const std::filesystem::path& proc) {
  std::map<std::uint64_t, std::vector<LocalProcess>> owners;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(proc, ec)) {
    const auto name = entry.path().filename().string();
    int pid = 0;
    if (std::from_chars(name.data(), name.data() + name.size(), pid).ptr != name.data() + name.size()) continue;
    std::error_code fd_ec;
    std::string comm;
    for (const auto& fd : std::filesystem::directory_iterator(entry.path() / "fd", fd_ec)) {
      std::error_code link_ec;
      auto target = std::filesystem::read_symlink(fd.path(), link_ec).string();
      if (link_ec || target.rfind("socket:[", 0) != 0 || target.back() != ']') continue;
      std::uint64_t inode = 0;
      if (std::from_chars(target.data() + 8, target.data() + target.size() - 1, inode).ec != std::errc()) continue;
      if (comm.empty()) {
        auto text = read_file(entry.path() / "comm");  // a process may be gone by now: then "?"
        comm = text ? *text : std::string();
        while (!comm.empty() && (comm.back() == '\n' || comm.back() == '\r')) comm.pop_back();
        if (comm.empty()) comm = "?";
      }
      auto& list = owners[inode];
      LocalProcess p{pid, comm};
      if (std::find(list.begin(), list.end(), p) == list.end()) list.push_back(p);
    }
  }
  for (auto& [inode, list] : owners) std::sort(list.begin(), list.end());
  return owners;
}

}  // namespace

Result<std::vector<LocalSocket>> parse_proc_net(std::string_view text, Transport transport, int family,
                                                std::string_view source) {
  std::vector<LocalSocket> out;
  int line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    auto line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    ++line_no;
    auto f = fields(line);
    if (f.empty()) continue;
    if (line_no == 1) {
      if (f[0] != "sl") return Error{std::string(source), 1, 0, "header", msg::local_not_socket_table()};
      continue;
    }
    // sl local rem st queues timer retrnsmt uid timeout inode …
    if (f.size() < 10) return Error{std::string(source), line_no, 0, "line", msg::local_few_fields()};
    auto local = endpoint(f[1], family, source, line_no, "local_address");
    if (!local) return local.error();
    auto remote = endpoint(f[2], family, source, line_no, "rem_address");
    if (!remote) return remote.error();
    auto state = hex_field(f[3], source, line_no, "st", 2);
    if (!state) return state.error();
    std::uint32_t uid = 0;
    if (std::from_chars(f[7].data(), f[7].data() + f[7].size(), uid).ptr != f[7].data() + f[7].size())
      return Error{std::string(source), line_no, 0, "uid", msg::not_a_number(f[7])};
    std::uint64_t inode = 0;
    if (std::from_chars(f[9].data(), f[9].data() + f[9].size(), inode).ptr != f[9].data() + f[9].size())
      return Error{std::string(source), line_no, 0, "inode", msg::not_a_number(f[9])};
    // TCP listens in LISTEN; a UDP socket receives from anyone while it has no remote peer.
    const bool listening = transport == Transport::tcp ? *state == kTcpListen : remote->second == 0;
    if (!listening) continue;
    out.push_back({transport, local->first, local->second, uid, inode, {}});
  }
  return out;
}

Result<std::vector<LocalSocket>> local_sockets(const std::filesystem::path& proc) {
  std::vector<LocalSocket> all;
  struct Table {
    const char* name;
    Transport transport;
    int family;
  };
  for (auto [name, transport, family] : {Table{"tcp", Transport::tcp, 4}, Table{"tcp6", Transport::tcp, 6},
                                         Table{"udp", Transport::udp, 4}, Table{"udp6", Transport::udp, 6}}) {
    const auto path = proc / "net" / name;
    auto text = read_file(path);
    if (!text) {
      if (family == 6) continue;  // a kernel without IPv6 has no tcp6/udp6
      return text.error();
    }
    auto parsed = parse_proc_net(*text, transport, family, path.string());
    if (!parsed) return parsed.error();
    all.insert(all.end(), parsed->begin(), parsed->end());
  }
  auto owners = socket_owners(proc);
  for (auto& s : all)
    if (auto it = owners.find(s.inode); it != owners.end() && s.inode != 0) s.processes = it->second;
  std::sort(all.begin(), all.end(), [](const LocalSocket& a, const LocalSocket& b) {
    return std::tie(a.transport, a.port, a.address) < std::tie(b.transport, b.port, b.address);
  });
  return all;
}

LocalIdentity local_identity() {
  LocalIdentity out;
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0) out.host = name;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (const auto* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr) continue;
    Network n;
    if (a->ifa_addr->sa_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      const auto* b = reinterpret_cast<const std::uint8_t*>(&in->sin_addr);
      n.family = 4;
      n.prefix = 32;
      std::copy(b, b + 4, n.bytes.begin());
      if (b[0] == 127) continue;
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
      const auto* b = reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr);
      if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) || IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr)) continue;
      n.family = 6;
      n.prefix = 128;
      std::copy(b, b + 16, n.bytes.begin());
    } else {
      continue;
    }
    if (std::find(out.addresses.begin(), out.addresses.end(), n) == out.addresses.end()) out.addresses.push_back(n);
  }
  freeifaddrs(list);
  return out;
}

}  // namespace winports::probe
