// analyze: frames decoded from every link type it reads, flows with client and server decided and
// services named, DCE/RPC binds and endpoint-mapper replies naming dynamic ports, the Zeek and
// Windows Firewall readers, and the Samba domain-join capture the netns test records.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "../../src/analyze/decode.hpp"
#include "sites.hpp"
#include "winports/analyze/compare.hpp"
#include "winports/analyze/inputs.hpp"
#include "winports/catalog/embedded.hpp"
#include "winports/wire/dcerpc.hpp"

using namespace winports;
using namespace winports::analyze;

namespace {

using Bytes = std::vector<std::uint8_t>;

void be16(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8)), b.push_back(static_cast<std::uint8_t>(v));
}

// An IPv4 packet (no options) around a transport header and payload.
Bytes ipv4(std::uint8_t protocol, std::array<std::uint8_t, 4> src, std::array<std::uint8_t, 4> dst, const Bytes& l4,
           std::uint16_t fragment = 0) {
  Bytes b{0x45, 0};
  be16(b, static_cast<unsigned>(20 + l4.size()));
  be16(b, 1);
  be16(b, fragment);
  b.insert(b.end(), {64, protocol, 0, 0});
  b.insert(b.end(), src.begin(), src.end());
  b.insert(b.end(), dst.begin(), dst.end());
  b.insert(b.end(), l4.begin(), l4.end());
  return b;
}

Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags, const Bytes& payload = {},
          std::uint32_t seq = 1000) {
  Bytes b;
  be16(b, sport), be16(b, dport);
  be16(b, seq >> 16), be16(b, seq & 0xffff);
  b.insert(b.end(), {0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0});
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload = {}) {
  Bytes b;
  be16(b, sport), be16(b, dport), be16(b, static_cast<unsigned>(8 + payload.size())), be16(b, 0);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes ethernet(const Bytes& ip, std::uint16_t type = 0x0800, int vlans = 0) {
  Bytes b(12, 0xaa);
  for (int i = 0; i < vlans; ++i) be16(b, 0x8100), be16(b, 10 + i);
  be16(b, type);
  b.insert(b.end(), ip.begin(), ip.end());
  return b;
}

constexpr std::array<std::uint8_t, 4> kClient{198, 18, 10, 5}, kServer{198, 18, 20, 10};

// Why a frame was skipped, in English (the key the JSON keeps); empty when it was decoded.
std::string skipped_because(Msg why) { return why ? std::string(why.text().en) : std::string(); }

Packet decoded(int link, const Bytes& frame) {
  Packet p;
  EXPECT_EQ(skipped_because(decode_frame(link, frame, p)), "");
  return p;
}

const catalog::Catalog& cat() { return catalog::builtin_catalog(); }

const ObservedFlow* find(const std::vector<ObservedFlow>& flows, Transport t, std::uint16_t port) {
  for (const auto& f : flows)
    if (f.transport == t && f.port == port) return &f;
  return nullptr;
}

// A DCE/RPC bind presenting one interface (little-endian, no authentication).
Bytes bind_pdu(const std::string& uuid, std::uint16_t version, std::uint8_t type = 11) {
  Bytes b{5, 0, type, 3, 0x10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
  b.insert(b.end(), {0xb8, 0x10, 0xb8, 0x10, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0});
  auto raw = winports::wire::dcerpc::uuid_bytes(uuid).value();
  b.insert(b.end(), raw.begin(), raw.end());
  b.push_back(static_cast<std::uint8_t>(version)), b.push_back(0), b.push_back(0), b.push_back(0);
  b.insert(b.end(), 20, 0x11);  // a transfer syntax
  b[8] = static_cast<std::uint8_t>(b.size());
  return b;
}

}  // namespace

TEST(AnalyzeDecode, EthernetVlanIpv4Tcp) {
  auto p = decoded(kLinkEthernet,
                   ethernet(ipv4(6, kClient, kServer, tcp(50000, 445, kTcpSyn)), 0x8100 - 0x8100 + 0x0800, 2));
  EXPECT_EQ(p.family, 4);
  EXPECT_EQ(p.protocol, 6);
  EXPECT_EQ(p.source_port, 50000);
  EXPECT_EQ(p.destination_port, 445);
  EXPECT_EQ(p.tcp_flags, kTcpSyn);
  EXPECT_EQ(p.sequence, 1000u);
  EXPECT_EQ(p.bytes, 40u);
  EXPECT_EQ(p.source[0], 198);
  EXPECT_EQ(p.destination[3], 10);
}

TEST(AnalyzeDecode, EthernetPaddingIsNotPayload) {
  auto frame = ethernet(ipv4(17, kClient, kServer, udp(5353, 53, {1, 2})));
  frame.insert(frame.end(), 12, 0);  // minimum frame size padding
  auto p = decoded(kLinkEthernet, frame);
  EXPECT_EQ(p.payload.size(), 2u);
}

TEST(AnalyzeDecode, LinuxCookedRawAndLoopback) {
  auto ip = ipv4(17, kClient, kServer, udp(40000, 88));
  Bytes sll(14, 0);
  be16(sll, 0x0800);
  sll.insert(sll.end(), ip.begin(), ip.end());
  EXPECT_EQ(decoded(kLinkLinuxSll, sll).destination_port, 88);
  Bytes sll2;
  be16(sll2, 0x0800);
  sll2.insert(sll2.end(), 18, 0);
  sll2.insert(sll2.end(), ip.begin(), ip.end());
  EXPECT_EQ(decoded(kLinkLinuxSll2, sll2).destination_port, 88);
  EXPECT_EQ(decoded(kLinkRaw, ip).destination_port, 88);
  Bytes null{2, 0, 0, 0};
  null.insert(null.end(), ip.begin(), ip.end());
  EXPECT_EQ(decoded(kLinkNull, null).destination_port, 88);
}

TEST(AnalyzeDecode, Ipv6WithExtensionHeaders) {
  auto l4 = udp(546, 547);
  Bytes ip{0x60, 0, 0, 0};
  be16(ip, static_cast<unsigned>(8 + 8 + l4.size()));
  ip.insert(ip.end(), {0, 64});  // next: hop-by-hop
  for (int i = 0; i < 32; ++i) ip.push_back(static_cast<std::uint8_t>(i == 15 || i == 31 ? 1 : 0));
  ip.insert(ip.end(), {44, 0, 1, 4, 0, 0, 0, 0});  // hop-by-hop → fragment
  ip.insert(ip.end(), {17, 0, 0, 1, 0, 0, 0, 7});  // first fragment → UDP
  ip.insert(ip.end(), l4.begin(), l4.end());
  auto p = decoded(kLinkEthernet, ethernet(ip, 0x86dd));
  EXPECT_EQ(p.family, 6);
  EXPECT_EQ(p.protocol, 17);
  EXPECT_EQ(p.destination_port, 547);
  // A later fragment carries no ports: counted, not guessed.
  ip[40 + 8 + 2] = 0x01;
  Packet later;
  EXPECT_EQ(skipped_because(decode_frame(kLinkEthernet, ethernet(ip, 0x86dd), later)), "IP fragment after the first");
}

TEST(AnalyzeDecode, SkipsWhatItCannotUse) {
  Packet p;
  EXPECT_EQ(skipped_because(decode_frame(kLinkEthernet, ethernet(Bytes(28, 0), 0x0806), p)), "not IP");
  EXPECT_EQ(skipped_because(decode_frame(kLinkEthernet, Bytes(10, 0), p)), "truncated Ethernet header");
  EXPECT_EQ(skipped_because(decode_frame(kLinkEthernet, ethernet(ipv4(6, kClient, kServer, {1, 2, 3})), p)),
            "truncated TCP header");
  EXPECT_EQ(skipped_because(decode_frame(kLinkEthernet, ethernet(ipv4(6, kClient, kServer, tcp(1, 2, 0), 0x0010)), p)),
            "IP fragment after the first");
  EXPECT_EQ(skipped_because(decode_frame(kLinkEthernet, ethernet(ipv4(2, kClient, kServer, {0x11})), p)),
            "other IP protocol");
  EXPECT_EQ(skipped_because(decode_frame(9999, Bytes(40, 0), p)), "unsupported link type");
}

namespace {

// Every packet one frame holds, outermost first: the frame's, then each tunnel's inside it.
std::vector<Packet> layers(int link, const Bytes& frame) {
  std::vector<Packet> out;
  Packet p;
  Inner inner;
  if (decode_frame(link, frame, p, &inner)) return out;
  out.push_back(p);
  for (int depth = 0; inner.kind != Inner::Kind::none && depth < kMaxTunnels; ++depth)
    if (!decode_inner(inner, p)) out.push_back(p);
  return out;
}

// "6 198.18.10.5:41000 > 198.18.20.10:445" for each packet.
std::vector<std::string> described(const std::vector<Packet>& packets) {
  std::vector<std::string> out;
  for (const auto& p : packets) {
    std::string text = std::to_string(p.protocol) + " ";
    for (int i = 0; i < 4; ++i) text += std::to_string(p.source[i]) + (i < 3 ? "." : "");
    text += ":" + std::to_string(p.source_port) + " > ";
    for (int i = 0; i < 4; ++i) text += std::to_string(p.destination[i]) + (i < 3 ? "." : "");
    out.push_back(text + ":" + std::to_string(p.destination_port));
  }
  return out;
}

Bytes cat_bytes(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

constexpr std::array<std::uint8_t, 4> kTunnelA{198, 19, 0, 1}, kTunnelB{198, 19, 0, 2};

}  // namespace

// Each encapsulation tshark decodes for its conversation tables: the tunnel is a connection (when
// it is one: UDP, GRE), and so is the packet inside it; IP in IP and the link's own headers
// (PPPoE, MPLS, PBB, SNAP) are decoded in place.
TEST(AnalyzeDecode, TunnelsAndTheirInnerConnections) {
  const auto smb = ipv4(6, kClient, kServer, tcp(41000, 445, kTcpSyn));
  const std::string inner = "6 198.18.10.5:41000 > 198.18.20.10:445";
  auto in_udp = [&](std::uint16_t sport, std::uint16_t dport, const Bytes& header, const Bytes& payload) {
    return ethernet(ipv4(17, kTunnelA, kTunnelB, udp(sport, dport, cat_bytes({header, payload}))));
  };
  using V = std::vector<std::string>;
  // VXLAN: flags with the VNI bit, an Ethernet frame.
  EXPECT_EQ(described(layers(kLinkEthernet, in_udp(50000, 4789, {0x08, 0, 0, 0, 0, 0, 1, 0}, ethernet(smb)))),
            (V{"17 198.19.0.1:50000 > 198.19.0.2:4789", inner}));
  // A client's port 4789 to DNS is DNS, not VXLAN.
  EXPECT_EQ(layers(kLinkEthernet, in_udp(4789, 53, {0x08, 0, 0, 0, 0, 0, 1, 0}, ethernet(smb))).size(), 1u);
  // Geneve with one 4-byte option, carrying Ethernet.
  EXPECT_EQ(described(layers(kLinkEthernet,
                             in_udp(50000, 6081, {0x01, 0, 0x65, 0x58, 0, 0, 1, 0, 1, 2, 3, 4}, ethernet(smb))))
                .back(),
            inner);
  // GTP-U: a G-PDU with the sequence flag (4 more bytes) and one extension header.
  EXPECT_EQ(described(layers(kLinkEthernet,
                             in_udp(2152, 2152, {0x34, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x85, 1, 0, 0, 0}, smb)))
                .back(),
            inner);
  // GRE in UDP (RFC 8086).
  EXPECT_EQ(described(layers(kLinkEthernet, in_udp(50000, 4754, {0, 0, 0x08, 0}, smb))).back(), inner);
  // GRE with a key and a sequence number: the GRE connection, then the packet.
  auto gre = ethernet(ipv4(47, kTunnelA, kTunnelB, cat_bytes({{0x30, 0, 0x08, 0, 0, 0, 0, 7, 0, 0, 0, 1}, smb})));
  EXPECT_EQ(described(layers(kLinkEthernet, gre)), (V{"47 198.19.0.1:0 > 198.19.0.2:0", inner}));
  // PPTP's enhanced GRE (version 1, key and sequence) carrying PPP with address and control.
  auto pptp =
      ethernet(ipv4(47, kTunnelA, kTunnelB,
                    cat_bytes({{0x30, 0x01, 0x88, 0x0b, 0, 40, 0, 1, 0, 0, 0, 1}, {0xff, 0x03, 0, 0x21}, smb})));
  EXPECT_EQ(described(layers(kLinkEthernet, pptp)).back(), inner);
  // ERSPAN type II (8-byte header) and type III (12 bytes) carry mirrored Ethernet frames.
  auto erspan2 = ethernet(
      ipv4(47, kTunnelA, kTunnelB, cat_bytes({{0x10, 0, 0x88, 0xbe, 0, 0, 0, 1}, Bytes(8, 0x10), ethernet(smb)})));
  EXPECT_EQ(described(layers(kLinkEthernet, erspan2)).back(), inner);
  auto erspan3 = ethernet(
      ipv4(47, kTunnelA, kTunnelB, cat_bytes({{0x10, 0, 0x22, 0xeb, 0, 0, 0, 1}, Bytes(12, 0), ethernet(smb)})));
  EXPECT_EQ(described(layers(kLinkEthernet, erspan3)).back(), inner);
  // IP in IP: the inner packet only (the outer header is no connection).
  EXPECT_EQ(described(layers(kLinkEthernet, ethernet(ipv4(4, kTunnelA, kTunnelB, smb)))), V{inner});
  // PPPoE session, MPLS (two labels), PBB and 802.3 with SNAP: the link's headers.
  EXPECT_EQ(described(layers(kLinkEthernet, ethernet(cat_bytes({{0x11, 0, 0, 1, 0, 40, 0, 0x21}, smb}), 0x8864))),
            V{inner});
  EXPECT_EQ(described(layers(kLinkEthernet, ethernet(cat_bytes({{0, 1, 0, 64, 0, 2, 1, 64}, smb}), 0x8847))), V{inner});
  EXPECT_EQ(described(layers(kLinkEthernet, ethernet(cat_bytes({{0, 0, 0, 1}, ethernet(smb)}), 0x88e7))), V{inner});
  Bytes snap(12, 0xaa);
  be16(snap, static_cast<unsigned>(8 + smb.size()));
  snap.insert(snap.end(), {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0});
  snap.insert(snap.end(), smb.begin(), smb.end());
  EXPECT_EQ(described(layers(kLinkEthernet, snap)), V{inner});
  // Tunnels within tunnels stop at a depth, and an unreadable inner packet leaves the outer one.
  Bytes nested = smb;
  for (int i = 0; i < 8; ++i) nested = ipv4(47, kTunnelA, kTunnelB, cat_bytes({{0, 0, 0x08, 0}, nested}));
  EXPECT_EQ(layers(kLinkRaw, nested).size(), std::size_t(1 + kMaxTunnels));
  EXPECT_EQ(layers(kLinkEthernet, in_udp(50000, 4789, {0x08, 0, 0, 0, 0, 0, 1, 0}, {1, 2, 3})).size(), 1u);
}

// The other links tshark reads IP from: PPP (with or without address and control, the protocol
// compressed or not), FDDI (LLC with SNAP) and NFLOG (the payload attribute among others, in the
// capturing host's byte order; a damaged attribute length is a skip, not a crash).
TEST(AnalyzeDecode, PppFddiAndNflogLinks) {
  const auto smb = ipv4(6, kClient, kServer, tcp(41000, 445, kTcpSyn));
  const std::vector<std::string> inner{"6 198.18.10.5:41000 > 198.18.20.10:445"};
  EXPECT_EQ(described(layers(kLinkPpp, cat_bytes({{0xff, 0x03, 0x00, 0x21}, smb}))), inner);
  EXPECT_EQ(described(layers(kLinkPpp, cat_bytes({{0x21}, smb}))), inner);
  EXPECT_EQ(described(layers(kLinkFddi, cat_bytes({Bytes(13, 0x50), {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0}, smb}))),
            inner);
  Bytes nflog{2, 0, 0, 1};
  nflog.insert(nflog.end(), {8, 0, 1, 0, 0, 0, 0, 0});  // an attribute before the payload (LE: 8 bytes, type 1)
  Bytes payload{static_cast<std::uint8_t>(smb.size() + 4), 0, 9, 0};
  nflog.insert(nflog.end(), payload.begin(), payload.end());
  nflog.insert(nflog.end(), smb.begin(), smb.end());
  EXPECT_EQ(described(layers(kLinkNflog, nflog)), inner);
  Bytes damaged{2, 0, 0, 1, 0xff, 0x7f, 9, 0, 1, 2};
  Packet p;
  EXPECT_EQ(skipped_because(decode_frame(kLinkNflog, damaged, p)), "truncated IP header");
}

TEST(AnalyzeDecode, IcmpErrorBelongsToTheConnectionItQuotes) {
  auto original = ipv4(17, kClient, kServer, udp(41000, 161));
  Bytes icmp{3, 3, 0, 0, 0, 0, 0, 0};
  icmp.insert(icmp.end(), original.begin(), original.begin() + 28);
  auto p = decoded(kLinkEthernet, ethernet(ipv4(1, kServer, kClient, icmp)));
  EXPECT_TRUE(p.icmp_error);
  EXPECT_EQ(p.protocol, 17);
  EXPECT_EQ(p.source_port, 161);
  EXPECT_EQ(p.destination_port, 41000);
  EXPECT_EQ(p.source[3], 10);
  // Seen alone, the error still makes the quoted sender the client.
  FlowTable table;
  p.time = 1;
  table.add(p);
  auto flows = table.flows(cat());
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].port, 161);
  EXPECT_EQ(flows[0].client.to_string(), "198.18.10.5");
}

TEST(AnalyzeFlows, ClientAndServerDecided) {
  FlowTable table;
  auto add = [&](std::array<std::uint8_t, 4> s, std::array<std::uint8_t, 4> d, const Bytes& l4, std::uint8_t proto,
                 double time) {
    auto p = decoded(kLinkRaw, ipv4(proto, s, d, l4));
    p.time = time;
    table.add(p);
  };
  // The SYN decides, even on a port the catalog does not know.
  add(kClient, kServer, tcp(40001, 7777, kTcpSyn), 6, 1);
  add(kServer, kClient, tcp(7777, 40001, kTcpSyn | kTcpAck), 6, 2);
  // Only the SYN-ACK seen: the other side is the client.
  add(kServer, kClient, tcp(8888, 40002, kTcpSyn | kTcpAck), 6, 3);
  // Mid-connection, the server speaking first: the catalog's port decides.
  add(kServer, kClient, tcp(389, 40003, kTcpAck, {1}), 6, 4);
  add(kClient, kServer, tcp(40003, 389, kTcpAck, {1}), 6, 5);
  // Both sides on the same port (NetBIOS datagrams): who spoke first.
  add(kClient, kServer, udp(138, 138), 17, 6);
  add(kServer, kClient, udp(138, 138), 17, 7);
  auto flows = table.flows(cat());
  auto syn = find(flows, Transport::tcp, 7777);
  ASSERT_TRUE(syn);
  EXPECT_EQ(syn->client.to_string(), "198.18.10.5");
  EXPECT_EQ(syn->decided_by, DecidedBy::syn);
  EXPECT_TRUE(syn->services.empty());
  auto synack = find(flows, Transport::tcp, 8888);
  ASSERT_TRUE(synack);
  EXPECT_EQ(synack->server.to_string(), "198.18.20.10");
  auto ldap = find(flows, Transport::tcp, 389);
  ASSERT_TRUE(ldap);
  EXPECT_EQ(ldap->decided_by, DecidedBy::catalog_port);
  EXPECT_EQ(ldap->server.to_string(), "198.18.20.10");
  EXPECT_NE(std::find(ldap->services.begin(), ldap->services.end(), "active-directory"), ldap->services.end());
  EXPECT_EQ(ldap->packets, 2u);
  EXPECT_EQ(ldap->first, 4);
  EXPECT_EQ(ldap->last, 5);
  auto netbios = find(flows, Transport::udp, 138);
  ASSERT_TRUE(netbios);
  EXPECT_EQ(netbios->client.to_string(), "198.18.10.5");
  EXPECT_EQ(netbios->decided_by, DecidedBy::first_packet);
  EXPECT_EQ(table.summary().packets, 7u);
  EXPECT_EQ(table.summary().connections, 4u);
}

TEST(AnalyzeFlows, ConnectionsAggregateByClientServerAndPort) {
  FlowTable table;
  for (std::uint16_t port = 50000; port < 50010; ++port) {
    auto p = decoded(kLinkRaw, ipv4(6, kClient, kServer, tcp(port, 88, kTcpSyn)));
    table.add(p);
  }
  auto flows = table.flows(cat());
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].connections, 10u);
  EXPECT_EQ(flows[0].services, std::vector<std::string>{"kdc"});
}

TEST(AnalyzeFlows, DynamicPortsAndWideRanges) {
  FlowTable table;
  table.add(decoded(kLinkRaw, ipv4(6, kClient, kServer, tcp(40000, 49999, kTcpSyn))));
  table.add(decoded(kLinkRaw, ipv4(6, kClient, kServer, tcp(40000, 18080, kTcpSyn))));
  auto flows = table.flows(cat());
  auto dynamic = find(flows, Transport::tcp, 49999);
  ASSERT_TRUE(dynamic);
  EXPECT_TRUE(dynamic->services.empty());
  EXPECT_EQ(dynamic->dynamic_range, "modern");
  auto high = find(flows, Transport::tcp, 18080);
  ASSERT_TRUE(high);
  EXPECT_TRUE(high->services.empty()) << "a port only a 1024-65535 row holds names no service";
  EXPECT_FALSE(high->wide.empty());
}

TEST(AnalyzeFlows, BindNamesTheInterfaceAndTheClient) {
  FlowTable table;
  // No SYN in the capture: the bind's sender is the client.
  table.add(decoded(kLinkRaw, ipv4(6, kServer, kClient, tcp(49153, 50123, kTcpAck, {}))));
  table.add(decoded(kLinkRaw, ipv4(6, kClient, kServer,
                                   tcp(50123, 49153, kTcpAck, bind_pdu("e3514235-4b06-11d1-ab04-00c04fc2dcd2", 4)))));
  auto flows = table.flows(cat());
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].port, 49153);
  EXPECT_EQ(flows[0].rpc_interface, "drsuapi");
  EXPECT_EQ(flows[0].rpc_via, "bind");
  EXPECT_EQ(flows[0].decided_by, DecidedBy::rpc_bind);
  EXPECT_EQ(flows[0].services, std::vector<std::string>{"active-directory"});
  EXPECT_EQ(table.summary().rpc_binds, 1u);
}

TEST(AnalyzeFlows, UnknownInterfaceKeepsItsUuid) {
  FlowTable table;
  table.add(decoded(kLinkRaw, ipv4(6, kClient, kServer, tcp(50124, 49160, kTcpSyn))));
  table.add(decoded(
      kLinkRaw,
      ipv4(6, kClient, kServer, tcp(50124, 49160, kTcpAck, bind_pdu("01234567-89ab-cdef-0123-456789abcdef", 1, 14)))));
  auto flows = table.flows(cat());
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].rpc_interface, "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_EQ(flows[0].services, std::vector<std::string>{"rpc"});
}

// The recorded Samba domain join (tests/netns/analyze_samba_test.sh records it): every service
// named, and the DC's dynamic port named drsuapi.
TEST(AnalyzeCapture, SambaDomainJoin) {
  FlowTable table;
  auto st = read_input(std::string(WINPORTS_SOURCE_DIR) + "/tests/data/analyze/samba-join.pcap", table);
  ASSERT_TRUE(st) << st.error().to_string();
  auto flows = table.flows(cat());
  // Only the lab links' own IPv6 housekeeping is left out.
  for (const auto& [reason, count] : table.summary().skipped)
    EXPECT_EQ(reason, "ICMPv6 neighbour discovery or multicast listener (link-local)") << count;
  EXPECT_GE(table.summary().rpc_endpoints_mapped, 1u);
  const ObservedFlow* drsuapi = nullptr;
  for (const auto& f : flows) {
    if (f.rpc_interface == "drsuapi") drsuapi = &f;
    if (f.transport == Transport::tcp) {
      EXPECT_FALSE(f.services.empty()) << f.port;
    }
    // The lab's links also carry IPv6 router solicitations and MLD between link-local addresses.
    if (f.client.family == 4) {
      EXPECT_EQ(f.client.to_string(), "198.18.10.5") << f.port;
    }
  }
  ASSERT_TRUE(drsuapi);
  EXPECT_GE(drsuapi->port, 49152);
  EXPECT_EQ(drsuapi->services, std::vector<std::string>{"active-directory"});
  for (auto [t, port, service] : {std::tuple{Transport::tcp, 88, "kdc"},
                                  {Transport::tcp, 389, "active-directory"},
                                  {Transport::udp, 389, "active-directory"},
                                  {Transport::udp, 53, "dns-server"},
                                  {Transport::tcp, 445, "server"},
                                  {Transport::tcp, 135, "rpc"}}) {
    auto f = find(flows, t, static_cast<std::uint16_t>(port));
    ASSERT_TRUE(f) << port;
    EXPECT_NE(std::find(f->services.begin(), f->services.end(), service), f->services.end()) << port;
  }
}

TEST(AnalyzeCapture, TruncatedAndCorruptCaptures) {
  auto source = std::string(WINPORTS_SOURCE_DIR) + "/tests/data/analyze/samba-join.pcap";
  std::ifstream in(source, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto dir = std::filesystem::temp_directory_path() / ("winports-analyze-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return (dir / name).string();
  };
  // Cut mid-record: what came before counts, the rest is one counted skip.
  FlowTable cut;
  ASSERT_TRUE(read_input(write("cut.pcap", bytes.substr(0, bytes.size() / 2 + 7)), cut));
  EXPECT_GT(cut.summary().packets, 10u);
  ASSERT_EQ(cut.summary().skipped.size(), 1u);
  EXPECT_NE(cut.summary().skipped.begin()->first.find("unreadable record"), std::string::npos);
  // A header and nothing else: no flows, no error.
  FlowTable empty;
  EXPECT_TRUE(read_input(write("empty.pcap", bytes.substr(0, 24)), empty));
  EXPECT_EQ(empty.summary().packets, 0u);
  // The magic and a broken header: an error naming the file.
  FlowTable broken;
  auto st = read_input(write("broken.pcap", bytes.substr(0, 10)), broken);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().file.find("broken.pcap"), std::string::npos);
  // Not a capture or a log at all.
  st = read_input(write("notes.txt", "hello\n"), broken);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().field, "INPUT");
  std::filesystem::remove_all(dir);
}

namespace {
// Everything a read leaves in the table, as text: flows, counts and the first words of each skip.
std::string read_back(const FlowTable& table) {
  std::ostringstream out;
  out.precision(17);
  auto summary = table.summary();
  out << "packets " << summary.packets << " bytes " << summary.bytes << " connections " << summary.connections
      << " binds " << summary.rpc_binds << " mapped " << summary.rpc_endpoints_mapped << "\n";
  for (const auto& [reason, count] : summary.skipped)
    out << "skip " << count << " " << reason.substr(0, reason.find(':')) << " at "
        << summary.first_skipped.at(reason).en << "\n";
  for (const auto& f : table.flows(catalog::builtin_catalog())) {
    out << f.client.to_string() << " " << f.server.to_string() << " " << to_string(f.transport) << " " << f.port << " "
        << f.rpc_interface << " " << f.rpc_via << " " << f.dynamic_range << " " << to_string(f.decided_by) << " "
        << f.connections << " " << f.packets << " " << f.bytes << " " << f.first << " " << f.last;
    for (const auto& service : f.services) out << " " << service;
    out << "\n";
  }
  return out.str();
}
}  // namespace

// Classic pcap is read in place; libpcap reads the same files as the reference. Every variant the
// in-place reader takes (microseconds, nanoseconds, a snapshot length that cuts frames, none at
// all), the ways a file ends badly, and one it leaves to libpcap (the other byte order) must give
// the same flows, counts and skips both ways.
TEST(AnalyzeCapture, InPlaceReadingMatchesLibpcap) {
  std::ifstream in(std::string(WINPORTS_SOURCE_DIR) + "/tests/data/analyze/samba-join.pcap", std::ios::binary);
  const std::string join((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(join.size(), 1000u);
  auto u32 = [](const std::string& b, std::size_t at) {
    std::uint32_t v;
    std::memcpy(&v, b.data() + at, 4);
    return v;
  };
  auto put32 = [](std::string& b, std::size_t at, std::uint32_t v) { std::memcpy(b.data() + at, &v, 4); };
  std::vector<std::size_t> records;  // where each record header begins
  for (std::size_t at = 24; at + 16 <= join.size(); at += 16 + u32(join, at + 8)) records.push_back(at);
  ASSERT_GT(records.size(), 100u);

  std::vector<std::pair<std::string, std::string>> variants;
  variants.emplace_back("as recorded", join);
  auto nano = join;
  put32(nano, 0, 0xa1b23c4d);
  for (auto at : records) put32(nano, at + 4, u32(nano, at + 4) * 1000 + 999);
  variants.emplace_back("nanoseconds", nano);
  auto short_snapshot = join;
  put32(short_snapshot, 16, 60);  // frames longer than 60 bytes cut to it, as libpcap does
  variants.emplace_back("snapshot 60", short_snapshot);
  auto no_snapshot = join;
  put32(no_snapshot, 16, 0);
  variants.emplace_back("snapshot 0", no_snapshot);
  variants.emplace_back("cut in a record header", join.substr(0, records[40] + 9));
  variants.emplace_back("cut in a frame", join.substr(0, records[40] + 16 + 5));
  auto too_long = join;
  put32(too_long, records[30] + 8, 300000);
  variants.emplace_back("a record longer than a capture", too_long);
  auto swapped = join;  // big-endian: libpcap's to read
  auto swap_at = [&](std::size_t at) { put32(swapped, at, __builtin_bswap32(u32(swapped, at))); };
  for (std::size_t at = 0; at < 24; at += 4)
    if (at != 4) swap_at(at);
  std::swap(swapped[4], swapped[5]);
  std::swap(swapped[6], swapped[7]);
  for (auto at : records)
    for (std::size_t field = 0; field < 16; field += 4) swap_at(at + field);
  variants.emplace_back("big-endian", swapped);

  auto dir = std::filesystem::temp_directory_path() / ("winports-inplace-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const auto& [name, bytes] : variants) {
    auto path = (dir / "capture.pcap").string();
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    FlowTable in_place, reference;
    ASSERT_TRUE(read_pcap(path, in_place)) << name;
    ASSERT_TRUE(read_pcap_through_libpcap(path, reference)) << name;
    auto got = read_back(in_place);
    EXPECT_EQ(got, read_back(reference)) << name;
    EXPECT_GE(in_place.summary().packets, 30u) << name;
    bool ends_badly = name.find("cut") != std::string::npos || name.find("longer") != std::string::npos;
    EXPECT_EQ(got.find("skip 1 unreadable record") != std::string::npos, ends_badly) << name << "\n" << got;
  }
  std::filesystem::remove_all(dir);
}

TEST(Wire, UuidTextHasItsFirstThreeFieldsLittleEndian) {
  // The endpoint mapper's own interface, as its bytes travel.
  const Bytes epm = {0x08, 0x83, 0xaf, 0xe1, 0x1f, 0x5d, 0xc9, 0x11, 0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa};
  EXPECT_EQ(wire::dcerpc::uuid_text(epm), "e1af8308-5d1f-11c9-91a4-08002b14a0fa");
}

TEST(AnalyzeInputs, DetectedByContent) {
  EXPECT_EQ(detect_format(std::string("\xd4\xc3\xb2\xa1", 4)), Format::pcap);
  EXPECT_EQ(detect_format(std::string("\x4d\x3c\xb2\xa1", 4)), Format::pcap);
  EXPECT_EQ(detect_format(std::string("\x0a\x0d\x0d\x0a", 4)), Format::pcapng);
  EXPECT_EQ(detect_format("#separator \\x09\n#set_separator\t,\n"), Format::zeek_tsv);
  EXPECT_EQ(detect_format(R"({"ts":1.5,"uid":"C1","id.orig_h":"198.18.10.5"})"), Format::zeek_json);
  EXPECT_EQ(detect_format("#Version: 1.5\n#Software: Microsoft Windows Firewall\n"), Format::pfirewall);
  EXPECT_EQ(detect_format("GET / HTTP/1.1\r\n"), Format::unknown);
}

constexpr const char* kZeekTsv =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\t"
    "resp_bytes\tconn_state\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tcount\tcount\t"
    "count\tcount\n"
    "1700000000.5\tC1\t198.18.10.5\t50000\t198.18.20.10\t88\ttcp\tkrb_tcp\t0.25\t100\t200\tSF\t5\t400\t4\t500\n"
    "1700000001.0\tC2\t198.18.10.5\t50001\t198.18.20.10\t88\ttcp\t-\t-\t-\t-\tS0\t1\t60\t0\t0\n"
    "1700000002.0\tC3\t2001:db8::5\t8\t2001:db8::10\t0\ticmp\t-\t0.1\t-\t-\tOTH\t1\t64\t1\t64\n"
    "1700000003.0\tC4\tnot-an-address\t1\t198.18.20.10\t53\tudp\t-\t-\t-\t-\tS0\t1\t60\t0\t0\n"
    "1700000004.0\tC5\t198.18.10.5\n";

TEST(AnalyzeZeek, TsvRecordsAreConnections) {
  FlowTable table;
  std::istringstream in(kZeekTsv);
  auto st = read_zeek("conn.log", in, table);
  ASSERT_TRUE(st) << st.error().to_string();
  auto flows = table.flows(cat());
  auto kdc = find(flows, Transport::tcp, 88);
  ASSERT_TRUE(kdc);
  EXPECT_EQ(kdc->connections, 2u);
  EXPECT_EQ(kdc->packets, 10u);
  EXPECT_EQ(kdc->bytes, 960u);
  EXPECT_EQ(kdc->decided_by, DecidedBy::log);
  EXPECT_DOUBLE_EQ(kdc->first, 1700000000.5);
  EXPECT_DOUBLE_EQ(kdc->last, 1700000001.0);
  auto ping = find(flows, Transport::icmpv6, 0);
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->client.to_string(), "2001:db8::5");
  const auto& skipped = table.summary().skipped;
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_EQ(skipped.at("zeek: bad id.orig_h"), 1u);
  EXPECT_EQ(table.summary().first_skipped.at("zeek: bad id.orig_h").en, "conn.log:11");
  EXPECT_EQ(table.summary().first_skipped.at("zeek: record with 3 fields, the header has 16").en, "conn.log:12");
}

TEST(AnalyzeZeek, JsonLines) {
  FlowTable table;
  std::istringstream in(
      R"({"ts":1700000000.25,"uid":"C1","id.orig_h":"198.18.10.5","id.orig_p":50000,"id.resp_h":"198.18.20.10","id.resp_p":445,"proto":"tcp","duration":1.5,"orig_pkts":3,"resp_pkts":2,"orig_ip_bytes":300,"resp_ip_bytes":200})"
      "\n"
      R"({"ts":"2023-11-14T22:13:21.500000Z","id.orig_h":"198.18.10.5","id.orig_p":50002,"id.resp_h":"198.18.20.10","id.resp_p":53,"proto":"udp"})"
      "\nnot json\n"
      R"({"ts":1700000000,"id.orig_h":"198.18.10.5","id.orig_p":-1,"id.resp_h":"198.18.20.10","id.resp_p":53,"proto":"udp"})"
      "\n");
  ASSERT_TRUE(read_zeek("conn.json", in, table));
  auto flows = table.flows(cat());
  auto smb = find(flows, Transport::tcp, 445);
  ASSERT_TRUE(smb);
  EXPECT_EQ(smb->packets, 5u);
  EXPECT_DOUBLE_EQ(smb->last, 1700000001.75);
  auto dns = find(flows, Transport::udp, 53);
  ASSERT_TRUE(dns);
  EXPECT_DOUBLE_EQ(dns->first, 1700000001.5);
  EXPECT_EQ(table.summary().skipped.at("zeek: a line that is not a JSON object"), 1u);
  EXPECT_EQ(table.summary().skipped.at("zeek: bad id.orig_p"), 1u);
}

TEST(AnalyzeZeek, HeaderErrorsNameTheLine) {
  FlowTable table;
  std::istringstream no_fields("1700000000.5\tC1\n");
  auto st = read_zeek("conn.log", no_fields, table);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().line, 1);
  EXPECT_EQ(st.error().field, "#fields");
  std::istringstream missing("#separator \\x09\n#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tproto\n");
  st = read_zeek("conn.log", missing, table);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().line, 2);
  EXPECT_NE(st.error().message.find("id.resp_p"), std::string::npos);
}

constexpr const char* kFirewallLog =
    "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n"
    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype "
    "icmpcode info path pid\r\n\r\n"
    "2024-01-15 10:22:01 ALLOW TCP 198.18.10.5 198.18.20.10 51234 445 0 - 0 0 0 - - - SEND 4\r\n"
    "2024-01-15 10:22:02 DROP UDP 198.18.10.7 198.18.20.10 137 137 78 - - - - - - - RECEIVE 0\r\n"
    "2024-01-15 10:22:03 DROP UDP 198.18.10.7 198.18.20.10 137 137 78 - - - - - - - RECEIVE 0\r\n"
    "2024-01-15 10:22:04 ALLOW ICMP 198.18.10.5 198.18.20.10 - - 60 - - - - 8 0 - SEND 0\r\n"
    "2024-01-15 10:22:05 ALLOW TCP fe80::1 fe80::2 50000 5985 0 - 0 0 0 - - - RECEIVE 4\r\n"
    "2024-01-15 10:22:06 INFO-EVENTS-LOST - - - - - - - - - - - - 12 - -\r\n"
    "2024-01-15 25:00:00 ALLOW TCP 198.18.10.5 198.18.20.10 51234 445 0 - 0 0 0 - - - SEND 4\r\n"
    "2024-01-15 10:22:07 ALLOW TCP 198.18.10.5\r\n";

TEST(AnalyzeFirewallLog, AllowedAndDropped) {
  FlowTable table;
  std::istringstream in(kFirewallLog);
  auto st = read_pfirewall("pfirewall.log", in, table);
  ASSERT_TRUE(st) << st.error().to_string();
  auto flows = table.flows(cat());
  auto smb = find(flows, Transport::tcp, 445);
  ASSERT_TRUE(smb);
  EXPECT_EQ(smb->dropped, 0u);
  EXPECT_EQ(smb->decided_by, DecidedBy::log);
  auto netbios = find(flows, Transport::udp, 137);
  ASSERT_TRUE(netbios);
  EXPECT_EQ(netbios->dropped, 2u);
  EXPECT_EQ(netbios->client.to_string(), "198.18.10.7");
  EXPECT_TRUE(find(flows, Transport::icmp, 0));
  auto winrm = find(flows, Transport::tcp, 5985);
  ASSERT_TRUE(winrm);
  EXPECT_EQ(winrm->server.to_string(), "fe80::2");
  const auto& skipped = table.summary().skipped;
  EXPECT_EQ(skipped.at("pfirewall: INFO-EVENTS-LOST line"), 1u);
  EXPECT_EQ(skipped.at("pfirewall: bad time"), 1u);
  EXPECT_EQ(table.summary().first_skipped.at("pfirewall: bad time").en, "pfirewall.log:12");
  EXPECT_EQ(skipped.at("pfirewall: line with 5 fields, #Fields has 18"), 1u);
}

TEST(AnalyzeFirewallLog, NoFieldsHeaderIsAnError) {
  FlowTable table;
  std::istringstream in("#Version: 1.5\n2024-01-15 10:22:01 ALLOW TCP 1.2.3.4 5.6.7.8 1 2 0\n");
  auto st = read_pfirewall("pfirewall.log", in, table);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().line, 2);
  EXPECT_EQ(st.error().field, "#Fields");
}

namespace {

plan::Environment lab_site(const std::string& access) {
  auto env = plan::load_environment({"site.yaml", R"(
site: lab
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  "server room": { networks: [198.18.20.0/24] }
hosts:
  dc1: { address: 198.18.20.10, zone: "server room", os: windows-server-2022, roles: [domain-controller] }
access:
)" + access + "settings:\n  netbios: false\n"},
                                    cat());
  EXPECT_TRUE(env.ok()) << (env.ok() ? "" : env.error().to_string());
  return env.ok() ? *env : plan::Environment{};
}

std::vector<ObservedFlow> join_flows() {
  FlowTable table;
  EXPECT_TRUE(read_input(std::string(WINPORTS_SOURCE_DIR) + "/tests/data/analyze/samba-join.pcap", table));
  return table.flows(cat());
}

}  // namespace

TEST(AnalyzeCompare, PlacedAndHeldAgainstThePlan) {
  auto env = lab_site("  - { from: clients, to: dc1, as: domain-member }\n");
  auto plan = plan::make_plan(env, cat());
  auto flows = join_flows();
  auto cmp = compare(flows, plan, env);
  ASSERT_EQ(cmp.allowed_by.size(), flows.size());
  for (std::size_t i = 0; i < flows.size(); ++i) {
    if (flows[i].client.family != 4) {
      EXPECT_TRUE(cmp.client[i].zone.empty()) << "link-local traffic is outside the site";
      continue;
    }
    EXPECT_EQ(cmp.client[i].zone, "clients");
    EXPECT_EQ(cmp.server[i].host, "dc1");
    EXPECT_EQ(cmp.server[i].zone, "server room");
    EXPECT_TRUE(cmp.allowed_by[i]) << flows[i].port << ": a domain member's join is what the profile allows";
  }
  // Planned but unused: LDAPS (636) and the global catalog (3268) were never asked for.
  bool ldaps = false;
  for (const auto& u : cmp.unobserved)
    if (plan.flows[u.flow].transport == Transport::tcp && u.ports.contains(636) && u.ports.contains(3268) &&
        !u.ports.contains(389) && !u.ports.contains(49153))
      ldaps = true;
  EXPECT_TRUE(ldaps);
}

TEST(AnalyzeCompare, WhatThePlanWouldBreak) {
  // Only name resolution allowed: Kerberos, LDAP, SMB and DRSUAPI would break.
  auto env = lab_site("  - { from: clients, to: dc1, services: [dns-server] }\n");
  auto plan = plan::make_plan(env, cat());
  auto flows = join_flows();
  auto cmp = compare(flows, plan, env);
  std::set<std::uint16_t> denied;
  for (std::size_t i = 0; i < flows.size(); ++i)
    if (!cmp.allowed_by[i] && flows[i].client.family == 4) denied.insert(flows[i].port);
  std::uint16_t drsuapi = 0;
  for (const auto& f : flows)
    if (f.rpc_interface == "drsuapi") drsuapi = f.port;
  EXPECT_NE(drsuapi, 0);
  EXPECT_EQ(denied, (std::set<std::uint16_t>{88, 135, 389, 445, drsuapi}));
}

TEST(AnalyzeLearn, FewestServicesThatExplainWhatWasSeen) {
  auto env = lab_site("  - { from: clients, to: dc1, services: [dns-server] }\n");
  auto flows = join_flows();
  ObservedFlow outside;  // from an address in no zone of the site
  outside.client = *parse_network("198.19.99.1");
  outside.server = *parse_network("198.18.20.10");
  outside.port = 3389;
  outside.services = {"rds"};
  flows.push_back(outside);
  auto cmp = compare(flows, plan::make_plan(env, cat()), env);
  auto yaml = learned_access(flows, cmp);
  EXPECT_NE(yaml.find("  - { from: clients, to: dc1, services: [active-directory, dns-server, kdc, rpc] }"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("# 198.19.99.1 -> 198.18.20.10 tcp/3389: outside the site's zones"), std::string::npos)
      << "outside traffic left as a comment";
  // The draft, put in the site, allows everything that was observed.
  std::string access;
  for (std::size_t at = yaml.find("  - {"); at != std::string::npos; at = yaml.find("  - {", at + 1))
    access += yaml.substr(at, yaml.find('\n', at) - at + 1);
  auto learned = lab_site(access);
  auto again = compare(flows, plan::make_plan(learned, cat()), learned);
  for (std::size_t i = 0; i < flows.size(); ++i) {
    bool inside = !again.client[i].zone.empty();
    EXPECT_EQ(again.allowed_by[i].has_value(), inside) << flows[i].port;
  }
  // Zone names that YAML would misread are quoted.
  Comparison placed;
  placed.client = {{"", "client room"}};
  placed.server = {{"dc1", "server room"}};
  ObservedFlow f;
  f.services = {"kdc"};
  f.port = 88;
  EXPECT_NE(learned_access({f}, placed).find("{ from: \"client room\", to: dc1, services: [kdc] }"), std::string::npos);
}

// pcapng (libpcap reads it too): the recorded join rewritten as a section header, one interface
// and enhanced packet blocks gives the same flows as the pcap.
TEST(AnalyzeCapture, PcapngGivesTheSameFlows) {
  auto source = std::string(WINPORTS_SOURCE_DIR) + "/tests/data/analyze/samba-join.pcap";
  std::ifstream in(source, std::ios::binary);
  std::string pcap((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string ng;
  auto u32 = [&](std::uint32_t v) { ng.append(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](std::uint16_t v) { ng.append(reinterpret_cast<const char*>(&v), 2); };
  u32(0x0a0d0d0a), u32(28), u32(0x1a2b3c4d), u16(1), u16(0), u32(0xffffffff), u32(0xffffffff), u32(28);
  u32(1), u32(20), u16(1), u16(0), u32(262144), u32(20);  // interface: Ethernet, microseconds
  std::size_t packets = 0;
  for (std::size_t at = 24; at + 16 <= pcap.size(); ++packets) {
    std::uint32_t sec, usec, caplen, length;
    std::memcpy(&sec, pcap.data() + at, 4), std::memcpy(&usec, pcap.data() + at + 4, 4);
    std::memcpy(&caplen, pcap.data() + at + 8, 4), std::memcpy(&length, pcap.data() + at + 12, 4);
    std::uint64_t stamp = std::uint64_t{sec} * 1000000 + usec;
    std::uint32_t padded = (caplen + 3) / 4 * 4, total = 32 + padded;
    u32(6), u32(total), u32(0), u32(static_cast<std::uint32_t>(stamp >> 32)), u32(static_cast<std::uint32_t>(stamp));
    u32(caplen), u32(length);
    ng.append(pcap, at + 16, caplen);
    ng.append(padded - caplen, '\0');
    u32(total);
    at += 16 + caplen;
  }
  auto path = std::filesystem::temp_directory_path() / ("winports-join-" + std::to_string(::getpid()) + ".pcapng");
  std::ofstream(path, std::ios::binary) << ng;
  FlowTable from_ng;
  auto st = read_input(path.string(), from_ng);
  std::filesystem::remove(path);
  ASSERT_TRUE(st) << st.error().to_string();
  EXPECT_EQ(detect_format(ng.substr(0, 4)), Format::pcapng);
  FlowTable from_pcap;
  ASSERT_TRUE(read_input(source, from_pcap));
  EXPECT_EQ(from_ng.summary().packets, from_pcap.summary().packets);
  EXPECT_EQ(from_ng.summary().skipped, from_pcap.summary().skipped);
  EXPECT_GT(packets, 400u);
  auto a = from_ng.flows(cat()), b = join_flows();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].port, b[i].port);
    EXPECT_EQ(a[i].services, b[i].services);
    EXPECT_EQ(a[i].rpc_interface, b[i].rpc_interface);
    EXPECT_EQ(a[i].bytes, b[i].bytes);
    EXPECT_DOUBLE_EQ(a[i].first, b[i].first);
  }
}

TEST(AnalyzeFlows, PortlessProtocols) {
  FlowTable table;
  table.add(decoded(kLinkRaw, ipv4(47, kClient, kServer, {0, 0, 0x88, 0x0b})));        // GRE (PPTP)
  table.add(decoded(kLinkRaw, ipv4(50, kServer, kClient, {1, 2, 3, 4, 0, 0, 0, 1})));  // ESP
  Bytes echo{8, 0, 0, 0, 0, 1, 0, 1};
  table.add(decoded(kLinkRaw, ipv4(1, kServer, kClient, {0, 0, 0, 0, 0, 1, 0, 1})));  // echo reply first
  table.add(decoded(kLinkRaw, ipv4(1, kClient, kServer, echo)));
  auto flows = table.flows(cat());
  auto gre = find(flows, Transport::gre, 0);
  ASSERT_TRUE(gre);
  EXPECT_FALSE(gre->services.empty()) << "the KB lists GRE (PPTP)";
  auto esp = find(flows, Transport::esp, 0);
  ASSERT_TRUE(esp);
  EXPECT_EQ(esp->client.to_string(), "198.18.20.10") << "who spoke first";
  auto ping = find(flows, Transport::icmp, 0);
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->client.to_string(), "198.18.10.5") << "the echo request's sender, though the reply came first";
}

TEST(AnalyzeCompare, OutsideTrafficIsTheSitesOnlyForThePairsThePlanNames) {
  // The web server's HTTPS from any address outside the zones; nothing names the DC for any (only web1).
  auto env = plan::load_environment({"site.yaml", test::kEdgeWeb}, cat());
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto plan = plan::make_plan(*env, cat());
  auto flow = [](const char* client, const char* server, std::uint16_t port) {
    ObservedFlow f;
    f.client = *parse_network(client), f.server = *parse_network(server), f.port = port;
    return f;
  };
  std::vector<ObservedFlow> observed{flow("198.19.200.7", "198.18.40.10", 443),   // planned
                                     flow("198.19.200.7", "198.18.40.10", 3389),  // a named pair, unplanned port
                                     flow("198.19.200.7", "198.18.20.10", 445),   // no entry pairs any with dc1
                                     flow("198.19.200.7", "198.19.200.8", 80)};   // both outside
  auto cmp = compare(observed, plan, *env);
  EXPECT_EQ(cmp.client[0].zone, "any");
  EXPECT_TRUE(cmp.allowed_by[0].has_value());
  EXPECT_TRUE(cmp.site_traffic[1]) << "the firewall decides any -> web1, so 3389 would break";
  EXPECT_FALSE(cmp.allowed_by[1].has_value());
  EXPECT_FALSE(cmp.site_traffic[2]) << "nothing makes any -> dc1 the site's: it passes untouched";
  EXPECT_FALSE(cmp.site_traffic[3]);
}
