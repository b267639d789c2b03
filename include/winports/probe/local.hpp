#pragma once
// PortQry's local mode on Linux: this machine's listening sockets (TCP in LISTEN, UDP bound and
// unconnected), read from the kernel's /proc/net tables, with the processes that hold them.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "winports/core/network.hpp"
#include "winports/core/port.hpp"
#include "winports/core/result.hpp"

namespace winports::probe {

struct LocalProcess {
  int pid = 0;
  std::string name;  // /proc/PID/comm
  auto operator<=>(const LocalProcess&) const = default;
};

struct LocalSocket {
  Transport transport = Transport::tcp;
  Network address;  // the bound address (0.0.0.0 or :: for every address)
  std::uint16_t port = 0;
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
  std::vector<LocalProcess> processes;  // empty when not visible (another user's, without root)
};

// One /proc/net/{tcp,tcp6,udp,udp6} table: its listening sockets. `family` is 4 or 6; `source`
// names the file in errors ("file:line: field: message").
Result<std::vector<LocalSocket>> parse_proc_net(std::string_view text, Transport transport, int family,
                                                std::string_view source);

// Every listening socket of this network namespace, sorted by transport, port and address, with
// the processes holding them (found through PROC/PID/fd). A missing tcp6/udp6 table (no IPv6) is
// not an error.
Result<std::vector<LocalSocket>> local_sockets(const std::filesystem::path& proc = "/proc");

// This machine as a vantage point says it: its host name and the addresses of its interfaces
// (loopback and IPv6 link-local left out: no site plans them), in this network namespace.
struct LocalIdentity {
  std::string host;
  std::vector<Network> addresses;
};
LocalIdentity local_identity();

}  // namespace winports::probe
