// Probe building blocks: reply parsers from recorded replies, port specs, target expansion, and
// the engine against loopback (a listening socket, a closed port, a UDP server).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

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
  EXPECT_NE(parsed->find("REFUSED"), std::string::npos);
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
  EXPECT_NE(parsed->find("stratum 2"), std::string::npos);
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

TEST(ProbeEngine, LoopbackListeningClosedAndUdpReply) {
  // A TCP listener and a UDP echo server on loopback ports the kernel picks.
  int tcp = socket(AF_INET, SOCK_STREAM, 0), udp = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(tcp, 16), 0);
  getsockname(tcp, reinterpret_cast<sockaddr*>(&a), &len);
  auto tcp_port = ntohs(a.sin_port);
  a.sin_port = 0;
  ASSERT_EQ(bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  getsockname(udp, reinterpret_cast<sockaddr*>(&a), &len);
  auto udp_port = ntohs(a.sin_port);
  std::thread echo([udp] {
    char buf[64];
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    timeval tv{5, 0};
    setsockopt(udp, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto n = recvfrom(udp, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (n >= 0) sendto(udp, "pong", 4, 0, reinterpret_cast<sockaddr*>(&from), fl);
  });
  // A closed port: bind then close, so nothing listens there.
  int closed = socket(AF_INET, SOCK_STREAM, 0);
  a.sin_port = 0;
  bind(closed, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(closed, reinterpret_cast<sockaddr*>(&a), &len);
  auto closed_port = ntohs(a.sin_port);
  close(closed);

  auto lo = *plan::parse_network("127.0.0.1");
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
  EXPECT_EQ((*out)[0].status, probe::Status::listening);
  EXPECT_EQ((*out)[1].status, probe::Status::not_listening);
  EXPECT_EQ((*out)[2].status, probe::Status::listening) << (*out)[2].detail;
  EXPECT_EQ((*out)[3].status, probe::Status::not_listening) << (*out)[3].detail;
  EXPECT_EQ((*out)[3].detail, "ICMP port unreachable");
}
