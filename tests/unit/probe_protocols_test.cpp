// The protocol probes against replies a real server sent (tests/data/probe/samba-ad-dc.trace,
// recorded with `winports check --trace` against the Samba AD DC of the netns lab), and against
// replies built from the protocol specifications where no packaged server speaks the protocol.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "winports/catalog/embedded.hpp"
#include "winports/probe/protocols.hpp"

using namespace winports::probe;

namespace {

using Bytes = std::vector<std::uint8_t>;

struct Line {
  std::string port;  // "udp/389"
  unsigned id = 0;
  bool sent = false;
  Bytes bytes;
};

Bytes unhex(const std::string& hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

constexpr const char* kSamba = "samba-ad-dc.trace";       // the netns lab's Samba AD DC
constexpr const char* kServers = "debian-servers.trace";  // snmpd, tftpd-hpa, chrony, strongSwan, xrdp, HTTP

std::vector<Line> trace(const char* file = kSamba) {
  std::ifstream in(std::string(WINPORTS_TEST_DATA) + "/probe/" + file);
  std::vector<Line> lines;
  std::string address, port, id_word, direction, hex;
  unsigned id = 0;
  while (in >> address >> port >> id_word >> id >> direction >> hex)
    lines.push_back({port, id, direction == "send", unhex(hex)});
  return lines;
}

// The hints the trace was recorded with: --domain winports.test and the catalog's ept_map list.
Hints recorded_hints() {
  Hints h;
  h.domain = "winports.test";
  for (const auto& i : winports::catalog::builtin_catalog().rpc_interfaces)
    if (i.ept_map) h.rpc_map.push_back({i.uuid, static_cast<std::uint16_t>(i.version)});
  return h;
}

std::pair<Line, Line> udp_exchange(const std::string& port, const char* file = kSamba) {
  Line send, recv;
  for (const auto& l : trace(file))
    if (l.port == port) (l.sent ? send : recv) = l;
  return {send, recv};
}

}  // namespace

TEST(ProbeRecorded, TraceHoldsEveryProtocolOfTheLabDc) {
  std::map<std::string, int> replies;
  for (const auto& l : trace())
    if (!l.sent) ++replies[l.port];
  for (const char* port :
       {"udp/53", "udp/88", "udp/137", "udp/389", "udp/464", "tcp/135", "tcp/389", "tcp/445", "tcp/3268"})
    EXPECT_GT(replies[port], 0) << port;
}

// Each recorded UDP exchange: the request must still be what the server answered, the reply must
// parse to what it meant, and every truncation of it must be refused or described differently.
void expect_udp_replays(const char* file, const Hints& hints, const std::map<std::string, std::string>& expect) {
  for (const auto& [port, text] : expect) {
    auto [send, recv] = udp_exchange(port, file);
    const auto* protocol = udp_protocol(static_cast<std::uint16_t>(std::stoi(port.substr(4))));
    ASSERT_NE(protocol, nullptr) << port;
    auto id = static_cast<std::uint16_t>(send.id);
    EXPECT_EQ(protocol->request(id, hints), send.bytes) << port << ": the request changed since it was recorded";
    auto parsed = protocol->parse(recv.bytes, id);
    ASSERT_TRUE(parsed) << port;
    EXPECT_NE(parsed->en.find(text), std::string::npos) << port << ": " << parsed->en;
    // Every truncation is refused or described, never read past its end (ASan checks the latter).
    for (std::size_t n = 0; n < recv.bytes.size(); ++n) {
      auto cut = protocol->parse(std::span(recv.bytes).first(n), id);
      if (cut) {
        EXPECT_NE(cut->en, parsed->en) << port << " cut at " << n;
      }
    }
  }
}

TEST(ProbeRecorded, UdpRequestsAreStillWhatTheServerAnsweredAndRepliesParse) {
  expect_udp_replays(
      kSamba, recorded_hints(),
      {
          {"udp/53", "DNS response, FORMERR"},
          {"udp/88", "Kerberos KRB-ERROR 6 KDC_ERR_C_PRINCIPAL_UNKNOWN, realm WINPORTS.TEST"},
          {"udp/137", "NetBIOS node status: __SAMBA__<00> group"},
          {"udp/389", "LDAP ping: DC dc1.winports.test (DC1), domain winports.test, site Default-First-Site-Name"},
          {"udp/464", "kpasswd reply: Kerberos KRB-ERROR"},
      });
}

TEST(ProbeRecorded, SnmpTftpNtpAndIkeFromDebianServers) {
  expect_udp_replays(kServers, Hints{},
                     {
                         {"udp/69", "TFTP ERROR 1 (File not found)"},
                         {"udp/123", "NTP v4 server reply, stratum 10"},
                         {"udp/161", "SNMP v2c response, sysDescr: winports recording agent"},
                         {"udp/500", "IKE v1.0 reply, exchange 5, notify 14 NO-PROPOSAL-CHOSEN"},
                     });
}

TEST(ProbeRecorded, UdpRepliesToAnotherRequestAreNotProof) {
  for (const char* port : {"udp/53", "udp/137", "udp/389"}) {
    auto [send, recv] = udp_exchange(port);
    const auto* protocol = udp_protocol(static_cast<std::uint16_t>(std::stoi(std::string(port).substr(4))));
    EXPECT_FALSE(protocol->parse(recv.bytes, static_cast<std::uint16_t>(send.id + 1))) << port;
  }
}

// Replays a recorded TCP conversation: each request must be what was sent, each reply is handed
// over byte by byte (a reply split anywhere must wait, not be misread), and the last step proves.
Step replay(const std::string& port, TcpConversation& conversation, const char* file = kSamba) {
  std::vector<Line> turns;
  for (const auto& l : trace(file))
    if (l.port == port) turns.push_back(l);
  Step step;
  for (std::size_t i = 0; i + 1 < turns.size(); i += 2) {
    EXPECT_TRUE(turns[i].sent);
    EXPECT_EQ(conversation.request(), turns[i].bytes) << port << " turn " << i / 2;
    const auto& reply = turns[i + 1].bytes;
    // A prefix waits, or (once it holds a whole message) acts as the whole does: never misread.
    std::vector<Step> early;
    for (std::size_t n = 0; n < reply.size(); ++n) early.push_back(conversation.receive(std::span(reply).first(n)));
    step = conversation.receive(reply);
    for (std::size_t n = 0; n < early.size(); ++n)
      if (early[n].kind != Step::Kind::wait) {
        EXPECT_EQ(early[n].kind, step.kind) << port << " at " << n << ": " << early[n].detail.en;
      }
    if (i + 2 < turns.size()) {
      EXPECT_EQ(step.kind, Step::Kind::send) << port << " turn " << i / 2;
    }
  }
  return step;
}

TEST(ProbeRecorded, EndpointMapperEnumeratesThenMapsWhatWasMissing) {
  auto epm = epmapper_start(recorded_hints());
  auto step = replay("tcp/135", *epm);
  ASSERT_EQ(step.kind, Step::Kind::proved) << step.detail.en;
  EXPECT_NE(step.detail.en.find("16 TCP endpoint(s), 53 entries enumerated"), std::string::npos) << step.detail.en;
  auto drsuapi = std::find_if(epm->endpoints.begin(), epm->endpoints.end(),
                              [](const RpcEndpoint& e) { return e.uuid == "e3514235-4b06-11d1-ab04-00c04fc2dcd2"; });
  ASSERT_NE(drsuapi, epm->endpoints.end());
  EXPECT_EQ(drsuapi->port, 49153);
  EXPECT_EQ(drsuapi->version, 4);
  EXPECT_EQ(drsuapi->annotation, "drsuapi");
  auto netlogon = std::find_if(epm->endpoints.begin(), epm->endpoints.end(),
                               [](const RpcEndpoint& e) { return e.uuid == "12345678-1234-abcd-ef00-01234567cffb"; });
  ASSERT_NE(netlogon, epm->endpoints.end());
  EXPECT_EQ(netlogon->port, 49152);
}

TEST(ProbeRecorded, LdapAndSmbRepliesName) {
  const Hints hints = recorded_hints();
  auto gc = ldap_start(hints);
  EXPECT_EQ(replay("tcp/3268", *gc).detail.en,
            "LDAP rootDSE: dnsHostName dc1.winports.test, defaultNamingContext DC=winports,DC=test");
  auto smb = smb2_start(hints);
  auto step = replay("tcp/445", *smb);
  EXPECT_EQ(step.kind, Step::Kind::proved);
  EXPECT_EQ(step.detail.en, "SMB2 NEGOTIATE response, dialect 3.1.1, signing required");
}

TEST(ProbeRecorded, XrdpAndHttpServerReplies) {
  auto rdp = rdp_start(Hints{});
  auto step = replay("tcp/3389", *rdp, kServers);
  EXPECT_EQ(step.kind, Step::Kind::proved);
  EXPECT_EQ(step.detail.en, "RDP X.224 Connection Confirm, TLS");
  auto http = http_start(Hints{});
  step = replay("tcp/5985", *http, kServers);
  EXPECT_EQ(step.kind, Step::Kind::proved);
  EXPECT_EQ(step.detail.en.rfind("HTTP 404 File not found, Server: SimpleHTTP/0.6 Python/", 0), 0u) << step.detail.en;
}

TEST(ProbeRecorded, GarbageOnATcpPortIsNotProof) {
  Bytes http = {'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ', '2', '0', '0', ' ', 'O', 'K', '\r', '\n', '\r', '\n'};
  for (auto start : {epmapper_start, ldap_start, smb2_start, rdp_start}) {
    auto conversation = start(Hints{});
    conversation->request();
    EXPECT_EQ(conversation->receive(http).kind, Step::Kind::failed);
  }
}

// Replies built from the specifications: no packaged server in the lab speaks these.
TEST(ProbeSpec, SnmpResponseToOurRequestId) {
  auto request = snmp_request(0x0102, Hints{});
  EXPECT_EQ(request[0], 0x30);
  // Response-PDU for request-id 0x0102: sysDescr.0 = "Hardware: x86"
  Bytes reply = {0x30, 0x2f, 0x02, 0x01, 0x01, 0x04, 0x06, 'p',  'u',  'b',  'l',  'i',  'c',  0xa2, 0x22, 0x02, 0x02,
                 0x01, 0x02, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x16, 0x30, 0x14, 0x06, 0x08, 0x2b, 0x06, 0x01,
                 0x02, 0x01, 0x01, 0x01, 0x00, 0x04, 0x08, 'W',  'i',  'n',  'd',  'o',  'w',  's',  '!'};
  auto parsed = snmp_parse(reply, 0x0102);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->en, "SNMP v2c response, sysDescr: Windows!");
  EXPECT_EQ(parsed->in(winports::Lang::ja), "SNMP v2c の応答です。sysDescr: Windows!");
  EXPECT_FALSE(snmp_parse(reply, 0x0103));
}

TEST(ProbeSpec, SqlBrowserListsInstancesAndPorts) {
  std::string text =
      "ServerName;SQL1;InstanceName;MSSQLSERVER;IsClustered;No;Version;15.0.2000.5;tcp;1433;;"
      "ServerName;SQL1;InstanceName;SHAREPOINT;IsClustered;No;Version;16.0.1000.6;tcp;50001;;";
  Bytes reply = {0x05, static_cast<std::uint8_t>(text.size()), static_cast<std::uint8_t>(text.size() >> 8)};
  reply.insert(reply.end(), text.begin(), text.end());
  EXPECT_EQ(sqlbrowser_parse(reply, 0)->en,
            "SQL Server Browser: MSSQLSERVER 15.0.2000.5 tcp/1433; SHAREPOINT 16.0.1000.6 tcp/50001");
  reply[1] = 0xff;
  EXPECT_FALSE(sqlbrowser_parse(reply, 0)) << "length past the datagram";
}

TEST(ProbeSpec, TftpErrorAndIkeNotifyAndSsdp) {
  Bytes error = {0, 5, 0, 1, 'F', 'i', 'l', 'e', ' ', 'n', 'o', 't', ' ', 'f', 'o', 'u', 'n', 'd', 0};
  EXPECT_EQ(tftp_parse(error, 0)->en, "TFTP ERROR 1 (File not found)");
  EXPECT_TRUE(udp_protocol(69)->reply_from_any_port);

  auto request = ike_request(0x4242, Hints{});
  ASSERT_GE(request.size(), 28u);
  EXPECT_EQ(request.size(), (std::size_t{request[24]} << 24 | request[25] << 16 | request[26] << 8 | request[27]));
  Bytes notify(request.begin(), request.begin() + 28);  // our cookie echoed
  notify[16] = 11;                                      // first payload: notify
  notify[18] = 5;                                       // informational
  Bytes payload = {0, 0, 0, 12, 0, 0, 0, 1, 1, 0, 0, 14};
  notify.insert(notify.end(), payload.begin(), payload.end());
  EXPECT_EQ(ike_parse(notify, 0x4242)->en, "IKE v1.0 reply, exchange 5, notify 14 NO-PROPOSAL-CHOSEN");
  EXPECT_EQ(ike_parse(notify, 0x4242)->in(winports::Lang::ja),
            "IKE v1.0 の応答です (交換タイプ 5)、通知 14 NO-PROPOSAL-CHOSEN");
  EXPECT_FALSE(ike_parse(notify, 0x4243)) << "another probe's cookie";

  std::string ok = "HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nSERVER: Microsoft-Windows/10.0 UPnP/1.0\r\n\r\n";
  EXPECT_EQ(ssdp_parse(Bytes(ok.begin(), ok.end()), 0)->en,
            "SSDP reply, SERVER Microsoft-Windows/10.0 UPnP/1.0, ST upnp:rootdevice");
}

TEST(ProbeSpec, RdpConnectionConfirmAndWinRmHttp) {
  auto rdp = rdp_start(Hints{});
  auto request = rdp->request();
  EXPECT_EQ(request.size(), std::size_t{request[3]});
  Bytes confirm = {3, 0, 0, 19, 14, 0xd0, 0, 0, 0x12, 0x34, 0, 0x02, 0x1f, 0x08, 0, 0x02, 0, 0, 0};
  EXPECT_EQ(rdp->receive(std::span(confirm).first(10)).kind, Step::Kind::wait);
  auto step = rdp->receive(confirm);
  EXPECT_EQ(step.detail.en, "RDP X.224 Connection Confirm, CredSSP (NLA)");

  auto http = http_start(Hints{});
  std::string reply = "HTTP/1.1 405 Method Not Allowed\r\nAllow: POST\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\n";
  Bytes bytes(reply.begin(), reply.end());
  EXPECT_EQ(http->receive(std::span(bytes).first(bytes.size() - 2)).kind, Step::Kind::wait);
  EXPECT_EQ(http->receive(bytes).detail.en, "HTTP 405 Method Not Allowed, Server: Microsoft-HTTPAPI/2.0");
}

// Every parser has its own libFuzzer target: the fuzz build's port lists must name every port a
// protocol probe answers to (and nothing else).
TEST(ProbeFuzzTargets, OnePerRegisteredProtocol) {
  std::ifstream in(WINPORTS_FUZZ_DIR "/CMakeLists.txt");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  // The ports of the foreach loop that builds "fuzz_udp_${port}" or "fuzz_tcp_${port}".
  auto ports_of = [&](const std::string& target) {
    std::set<unsigned> ports;
    auto at = text.str().rfind("foreach(port ", text.str().find(target + "${port}"));
    std::istringstream list(text.str().substr(at + 13, text.str().find(')', at) - at - 13));
    for (unsigned p; list >> p;) ports.insert(p);
    return ports;
  };
  std::set<unsigned> udp, tcp;
  for (unsigned p = 1; p < 65536; ++p) {
    if (auto* u = udp_protocol(static_cast<std::uint16_t>(p))) udp.insert(p), (void)u;
    if (auto* t = tcp_protocol(static_cast<std::uint16_t>(p))) tcp.insert(p), (void)t;
  }
  // TCP ports that share a conversation (LDAP on 3268, HTTP on 5985/47001) are fuzzed once.
  using Start = decltype(TcpProtocol::start);
  std::set<Start> tcp_parsers, fuzzed_tcp_parsers;
  for (auto p : tcp) tcp_parsers.insert(tcp_protocol(static_cast<std::uint16_t>(p))->start);
  for (auto p : ports_of("fuzz_tcp_")) {
    auto* t = tcp_protocol(static_cast<std::uint16_t>(p));
    ASSERT_TRUE(t) << "fuzz_tcp_" << p << " has no protocol";
    fuzzed_tcp_parsers.insert(t->start);
  }
  EXPECT_EQ(ports_of("fuzz_udp_"), udp);
  EXPECT_EQ(fuzzed_tcp_parsers, tcp_parsers);
}
