// Probe building blocks: reply parsers from recorded replies, port specs, target expansion, and
// the engine against loopback (a listening socket, a closed port, a UDP server).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "../../src/probe/start_order.hpp"
#include "winports/probe/prober.hpp"
#include "winports/probe/protocols.hpp"
#include "winports/probe/targets.hpp"

using namespace winports;
using namespace winports::probe;

TEST(ProbeDns, ParsesAResponseToItsOwnQueryOnly) {
  auto query = dns_request(0x1234, {});
  ASSERT_EQ(query.size(), 17u);
  EXPECT_EQ(query[0], 0x12);
  EXPECT_EQ(query[1], 0x34);
  // A REFUSED response recorded from an AD DNS server asked for the root SOA.
  std::vector<std::uint8_t> refused = {0x12, 0x34, 0x80, 0x05, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1};
  auto parsed = dns_parse(refused, 0x1234);
  ASSERT_TRUE(parsed);
  EXPECT_NE(parsed->en.find("REFUSED"), std::string::npos);
  EXPECT_NE(parsed->in(Lang::ja).find("DNS の応答です: REFUSED"), std::string::npos) << parsed->in(Lang::ja);
  EXPECT_FALSE(dns_parse(refused, 0x1235)) << "another query's id";
  auto as_query = refused;
  as_query[2] = 0x00;
  EXPECT_FALSE(dns_parse(as_query, 0x1234)) << "QR bit clear: not a response";
  EXPECT_FALSE(dns_parse(std::span(refused).first(11), 0x1234)) << "truncated header";
}

TEST(ProbeNtp, ParsesAServerReplyEchoingTheRequest) {
  auto request = ntp_request(0xBEEF, {});
  ASSERT_EQ(request.size(), 48u);
  EXPECT_EQ(request[0] & 7, 3);
  std::vector<std::uint8_t> reply(48, 0);
  reply[0] = (4 << 3) | 4;  // v4, server
  reply[1] = 2;
  reply[30] = 0xBE, reply[31] = 0xEF;  // originate = our transmit
  auto parsed = ntp_parse(reply, 0xBEEF);
  ASSERT_TRUE(parsed);
  EXPECT_NE(parsed->en.find("stratum 2"), std::string::npos);
  EXPECT_FALSE(ntp_parse(reply, 0xBEEE));
  reply[0] = (4 << 3) | 3;
  EXPECT_FALSE(ntp_parse(reply, 0xBEEF)) << "a client packet is not a reply";
}

TEST(ProbeTargets, PortSpecSwitchesTransportWithPrefixes) {
  auto spec = parse_port_spec("tcp:135,445,49152-49160,udp:53,389");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->tcp.to_string(), "135,445,49152-49160");
  EXPECT_EQ(spec->udp.to_string(), "53,389");
  EXPECT_EQ(parse_port_spec("80")->tcp.to_string(), "80");
  auto bad = parse_port_spec("tcp:135,http");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "--ports");
  EXPECT_FALSE(parse_port_spec("udp:0").ok());
}

TEST(ProbeTargets, CidrExpandsAndRefusesHugeRangesWithoutForce) {
  auto four = expand_target("198.18.0.252/30", 65536, false);
  ASSERT_TRUE(four.ok());
  ASSERT_EQ(four->size(), 4u);
  EXPECT_EQ((*four)[3].to_string(), "198.18.0.255");
  auto carry = expand_target("198.18.0.0/23", 65536, false);
  ASSERT_TRUE(carry.ok());
  EXPECT_EQ((*carry)[256].to_string(), "198.18.1.0");
  EXPECT_FALSE(expand_target("198.18.0.0/15", 65536, false).ok());
  EXPECT_TRUE(expand_target("198.18.0.0/15", 65536, true).ok());
  EXPECT_EQ(expand_target("::1", 1, false)->size(), 1u);
}

namespace {

// A socket bound to a loopback port the kernel picks, and that port.
std::pair<int, std::uint16_t> bound_loopback(int type) {
  int fd = socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return {fd, ntohs(a.sin_port)};
}

// A loopback port nothing listens on: bound, then closed.
std::uint16_t closed_loopback_port() {
  auto [fd, port] = bound_loopback(SOCK_STREAM);
  close(fd);
  return port;
}

}  // namespace

TEST(ProbeEngine, LoopbackListeningClosedAndUdpReply) {
  // A TCP listener and a UDP echo server on loopback ports the kernel picks.
  auto [tcp, tcp_port] = bound_loopback(SOCK_STREAM);
  ASSERT_EQ(listen(tcp, 16), 0);
  auto [udp, udp_port] = bound_loopback(SOCK_DGRAM);
  std::thread echo([udp] {
    char buf[64];
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    timeval tv{5, 0};
    setsockopt(udp, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto n = recvfrom(udp, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (n >= 0) sendto(udp, "pong", 4, 0, reinterpret_cast<sockaddr*>(&from), fl);
  });
  auto closed_port = closed_loopback_port();

  auto lo = *parse_network("127.0.0.1");
  std::vector<Request> requests = {{lo, Transport::tcp, tcp_port},
                                   {lo, Transport::tcp, closed_port},
                                   {lo, Transport::udp, udp_port},
                                   {lo, Transport::udp, closed_port}};
  Options options;
  options.timeout = std::chrono::milliseconds(2000);
  auto out = run(requests, options);
  echo.join();
  close(tcp);
  close(udp);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 4u);
  EXPECT_EQ((*out)[0].status, probe::PortState::listening);
  EXPECT_EQ((*out)[1].status, probe::PortState::not_listening);
  EXPECT_EQ((*out)[2].status, probe::PortState::listening) << (*out)[2].detail.en;
  EXPECT_EQ((*out)[3].status, probe::PortState::not_listening) << (*out)[3].detail.en;
  EXPECT_EQ((*out)[3].detail.en, "ICMP port unreachable");
}

// Once the host has answered (here a TCP reset), a silent port waits the host's round-trip
// estimate — bounded below by min_timeout — not the full timeout; without an answer, the full one.
TEST(ProbeEngine, SilenceWaitsTheHostsRoundTripOnceItAnswered) {
  auto [silent, silent_port] = bound_loopback(SOCK_DGRAM);  // bound, never answers
  auto closed_port = closed_loopback_port();

  auto lo = *parse_network("127.0.0.1");
  std::vector<Request> requests = {{lo, Transport::tcp, closed_port}, {lo, Transport::udp, silent_port}};
  Options options;
  options.protocols = false;
  options.timeout = std::chrono::milliseconds(4000);
  options.min_timeout = std::chrono::milliseconds(50);
  auto adaptive = run(requests, options);
  ASSERT_TRUE(adaptive.ok());
  EXPECT_EQ((*adaptive)[0].status, probe::PortState::not_listening);
  const auto& quiet = (*adaptive)[1];
  EXPECT_EQ(quiet.status, probe::PortState::listening_or_filtered);
  EXPECT_NE(quiet.detail.en.find("(2 attempts)"), std::string::npos) << quiet.detail.en;
  EXPECT_LT(quiet.elapsed, std::chrono::milliseconds(4000)) << "two attempts within one full timeout";
  EXPECT_GE(quiet.elapsed, std::chrono::milliseconds(100)) << "each attempt waits at least min_timeout";

  // min_timeout equal to timeout: no adaptation, each attempt waits the full timeout.
  options.timeout = options.min_timeout = std::chrono::milliseconds(300);
  auto fixed = run({requests[1]}, options);
  close(silent);
  ASSERT_TRUE(fixed.ok());
  EXPECT_GE((*fixed)[0].elapsed, std::chrono::milliseconds(600));
}

// A server that writes its whole reply and closes in one go: the reply and the end of stream reach
// the prober in one wakeup, and the reply must still be parsed (it was lost 5 times in 30).
TEST(ProbeEngine, AReplyFollowedAtOnceByCloseIsStillParsed) {
  // WinRM's port on an address of loopback's /8 that nothing else here uses.
  int server = socket(AF_INET, SOCK_STREAM, 0);
  int on = 1;
  setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(5985);
  inet_pton(AF_INET, "127.77.0.1", &a.sin_addr);
  if (bind(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(server, 64) != 0) {
    close(server);
    GTEST_SKIP() << "127.77.0.1:5985 is taken";
  }
  constexpr int kRuns = 200;
  std::thread serve([server] {
    const std::string reply =
        "HTTP/1.1 405 \r\nAllow: POST\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: Tue, 01 Dec 2026 00:00:00 "
        "GMT\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    timeval tv{10, 0};
    setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (int i = 0; i < kRuns; ++i) {
      int c = accept(server, nullptr, nullptr);
      if (c < 0) return;
      std::string got;
      char buf[512];
      while (got.find("\r\n\r\n") == std::string::npos) {
        auto n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
      }
      // One write, then close: no gap for the prober to read the data before the FIN.
      send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      close(c);
    }
  });
  std::vector<Request> requests(kRuns, Request{*parse_network("127.77.0.1"), Transport::tcp, 5985});
  Options options;
  options.timeout = std::chrono::milliseconds(3000);
  options.concurrency = 4;
  auto out = run(requests, options);
  serve.join();
  close(server);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), static_cast<std::size_t>(kRuns));
  int missed = 0;
  for (const auto& o : *out)
    if (o.detail.en.rfind("HTTP 405", 0) != 0) ++missed, ADD_FAILURE() << o.detail.en;
  EXPECT_EQ(missed, 0);
}

// A request's source is the address its probe leaves from: a machine in several zones probes each
// zone's flows from that zone's own address, so the firewall sees the zone it checks.
TEST(ProbeEngine, AProbeLeavesFromItsSourceAddress) {
  auto [tcp, tcp_port] = bound_loopback(SOCK_STREAM);
  ASSERT_EQ(listen(tcp, 16), 0);
  auto [udp, udp_port] = bound_loopback(SOCK_DGRAM);
  std::string tcp_peer, udp_peer;
  auto address_of = [](const sockaddr_in& a) {
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    return std::string(text);
  };
  std::thread servers([&, tcp = tcp, udp = udp] {
    timeval tv{5, 0};
    setsockopt(tcp, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(udp, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    if (int c = accept(tcp, reinterpret_cast<sockaddr*>(&from), &fl); c >= 0) {
      tcp_peer = address_of(from);
      close(c);
    }
    char buf[64];
    fl = sizeof from;
    if (recvfrom(udp, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl) >= 0) {
      udp_peer = address_of(from);
      sendto(udp, "pong", 4, 0, reinterpret_cast<sockaddr*>(&from), fl);
    }
  });
  auto lo = *parse_network("127.0.0.1");
  auto source = *parse_network("127.0.0.2");
  std::vector<Request> requests = {{lo, Transport::tcp, tcp_port, source}, {lo, Transport::udp, udp_port, source}};
  Options options;
  options.timeout = std::chrono::milliseconds(2000);
  auto out = run(requests, options);
  servers.join();
  close(tcp);
  close(udp);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].status, probe::PortState::listening) << (*out)[0].detail.en;
  EXPECT_EQ((*out)[1].status, probe::PortState::listening) << (*out)[1].detail.en;
  EXPECT_EQ(tcp_peer, "127.0.0.2");
  EXPECT_EQ(udp_peer, "127.0.0.2");
  // A source this machine does not have is said, not silently replaced by the kernel's choice.
  auto foreign = run({{lo, Transport::tcp, tcp_port, *parse_network("198.18.0.1")}}, options);
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ((*foreign)[0].status, probe::PortState::filtered);
  EXPECT_EQ((*foreign)[0].detail.en.rfind("bind 198.18.0.1: ", 0), 0u) << (*foreign)[0].detail.en;
}

// Probes start in the requests' order until a port goes silent somewhere; then that port's probes
// of the other hosts go first, each request still started exactly once.
TEST(ProbeStartOrder, SilentPortsOfOtherHostsStartFirst) {
  std::vector<probe::Request> requests;
  for (int host = 0; host < 4; ++host)
    for (std::uint16_t port : {22, 445, 1433})
      requests.push_back({*parse_network("198.18.0." + std::to_string(host + 1)), Transport::tcp, port});
  probe::StartOrder order(requests);
  std::vector<std::size_t> started;
  for (int i = 0; i < 4; ++i) started.push_back(order.next());  // host 1's three ports, host 2's 22
  EXPECT_EQ(started, (std::vector<std::size_t>{0, 1, 2, 3}));
  order.went_silent(requests[2]);                                           // 1433 silent on host 1
  order.went_silent(requests[2]);                                           // said again: nothing more
  order.went_silent({*parse_network("198.18.0.1"), Transport::udp, 1433});  // another transport, other port
  while (!order.done()) started.push_back(order.next());
  // tcp/1433 of hosts 2, 3, 4 next, then the rest in order.
  EXPECT_EQ(started, (std::vector<std::size_t>{0, 1, 2, 3, 5, 8, 11, 4, 6, 7, 9, 10}));
}
