// winports local: the kernel's socket tables parsed (listening TCP, unconnected UDP, IPv6 word
// order, errors with file:line:field), and sockets joined to their processes through a proc tree.
#include "winports/probe/local.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace winports;
using namespace winports::probe;

namespace {

// Lines as Linux prints them (x86, little-endian words).
constexpr const char* kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 0A1412C6:0058 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n"
    "   1: 0A1412C6:0058 050A12C6:D431 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0 20 4 30 10 "
    "-1\n"
    "   2: 00000000:01BD 00000000:0000 0A 00000000:00000000 00:00000000 00000000   108        0 4444 1 0 100 0 0 10 "
    "0\n";
constexpr const char* kUdp6 =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
    "tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
    "  100: 00000000000000000000000001000000:0185 00000000000000000000000000000000:0000 07 00000000:00000000 "
    "00:00000000 00000000     0        0 5151 2 0 0\n"
    "  101: 000080FE00000000FF5B1002FE0F8A04:0035 000080FE00000000FF5B1002FE0F8A04:D431 01 00000000:00000000 "
    "00:00000000 00000000     0        0 5252 2 0 0\n";

void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

}  // namespace

TEST(LocalSockets, ListeningTcpOnlyWithAddressPortUidInode) {
  auto parsed = parse_proc_net(kTcp, Transport::tcp, 4, "tcp");
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  ASSERT_EQ(parsed->size(), 2u) << "the established connection is not a listener";
  EXPECT_EQ((*parsed)[0].address.to_string(), "198.18.20.10");
  EXPECT_EQ((*parsed)[0].port, 88);
  EXPECT_EQ((*parsed)[0].inode, 4242u);
  EXPECT_EQ((*parsed)[1].address.to_string(), "0.0.0.0");
  EXPECT_EQ((*parsed)[1].port, 445);
  EXPECT_EQ((*parsed)[1].uid, 108u);
}

TEST(LocalSockets, UnconnectedUdpSixWithKernelWordOrder) {
  auto parsed = parse_proc_net(kUdp6, Transport::udp, 6, "udp6");
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  ASSERT_EQ(parsed->size(), 1u) << "a connected UDP socket receives from its peer only";
  EXPECT_EQ((*parsed)[0].address.to_string(), "::1");
  EXPECT_EQ((*parsed)[0].port, 389);
  EXPECT_EQ((*parsed)[0].transport, Transport::udp);
}

TEST(LocalSockets, BadTablesNameFileLineAndField) {
  std::string bad_port = std::string(kTcp).replace(std::string(kTcp).find(":01BD"), 5, ":01XZ");
  auto e = parse_proc_net(bad_port, Transport::tcp, 4, "/proc/net/tcp");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().file, "/proc/net/tcp");
  EXPECT_EQ(e.error().line, 4);
  EXPECT_EQ(e.error().field, "local_address");
  auto short_line = parse_proc_net(std::string(kTcp) + "   3: 00000000:01BD\n", Transport::tcp, 4, "t");
  ASSERT_FALSE(short_line);
  EXPECT_EQ(short_line.error().line, 5);
  EXPECT_FALSE(parse_proc_net("hello\n", Transport::tcp, 4, "t")) << "not a socket table";
  EXPECT_FALSE(parse_proc_net(kTcp, Transport::tcp, 6, "t")) << "IPv4 addresses in an IPv6 table";
  auto empty = parse_proc_net("", Transport::udp, 4, "t");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(LocalSockets, JoinsSocketsToTheirProcessesThroughAProcTree) {
  auto proc = std::filesystem::temp_directory_path() / ("winports-proc-" + std::to_string(::getpid()));
  std::filesystem::remove_all(proc);
  write(proc / "net" / "tcp", kTcp);
  write(proc / "net" / "udp", "  sl  local_address rem_address   st\n");
  write(proc / "net" / "udp6", kUdp6);  // no tcp6: a kernel without IPv6 is not an error
  write(proc / "4711" / "comm", "samba\n");
  std::filesystem::create_directories(proc / "4711" / "fd");
  std::filesystem::create_symlink("socket:[4242]", proc / "4711" / "fd" / "7");
  std::filesystem::create_symlink("socket:[5151]", proc / "4711" / "fd" / "8");
  std::filesystem::create_symlink("/dev/null", proc / "4711" / "fd" / "0");
  write(proc / "4712" / "comm", "smbd\n");
  std::filesystem::create_directories(proc / "4712" / "fd");
  std::filesystem::create_symlink("socket:[4444]", proc / "4712" / "fd" / "3");
  std::filesystem::create_directories(proc / "self");  // not a PID

  auto sockets = local_sockets(proc);
  std::filesystem::remove_all(proc);
  ASSERT_TRUE(sockets) << sockets.error().to_string();
  ASSERT_EQ(sockets->size(), 3u);
  // Sorted by transport, then port.
  EXPECT_EQ((*sockets)[0].port, 88);
  ASSERT_EQ((*sockets)[0].processes.size(), 1u);
  EXPECT_EQ((*sockets)[0].processes[0].name, "samba");
  EXPECT_EQ((*sockets)[0].processes[0].pid, 4711);
  EXPECT_EQ((*sockets)[1].port, 445);
  ASSERT_EQ((*sockets)[1].processes.size(), 1u);
  EXPECT_EQ((*sockets)[1].processes[0].name, "smbd");
  EXPECT_EQ((*sockets)[2].transport, Transport::udp);
  ASSERT_EQ((*sockets)[2].processes.size(), 1u);
  EXPECT_EQ((*sockets)[2].processes[0].name, "samba");
}

TEST(LocalSockets, MissingIpv4TableIsAnError) {
  auto proc = std::filesystem::temp_directory_path() / ("winports-noproc-" + std::to_string(::getpid()));
  std::filesystem::remove_all(proc);
  auto sockets = local_sockets(proc);
  ASSERT_FALSE(sockets);
  EXPECT_NE(sockets.error().file.find("tcp"), std::string::npos);
}
