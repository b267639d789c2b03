#include "decode.hpp"

#include <algorithm>

#include "winports/analyze/messages.hpp"
#include "winports/wire/bytes.hpp"

namespace winports::analyze {
namespace {

using wire::be16;
using wire::be32;
using wire::View;

constexpr std::uint16_t kIpv4 = 0x0800, kIpv6 = 0x86dd;
constexpr int kMaxVlanTags = 4, kMaxIpv6Headers = 8;

// The packet an ICMP error quotes (its IP header and the first 8 bytes after it) as a packet of
// that connection going back: "port unreachable" belongs to the UDP exchange it answers, not to
// a flow of its own.
Msg quoted(int family, View inner, Packet& out) {
  std::size_t header = 40;
  std::uint8_t protocol = 0;
  if (family == 4) {
    if (inner.size() < 20 || (inner[0] >> 4) != 4) return msg::skip_truncated_icmp_error;
    header = (inner[0] & 0x0f) * 4u;
    protocol = inner[9];
    std::copy_n(inner.begin() + 12, 4, out.destination.begin());
    std::copy_n(inner.begin() + 16, 4, out.source.begin());
    std::fill(out.destination.begin() + 4, out.destination.end(), 0);
    std::fill(out.source.begin() + 4, out.source.end(), 0);
  } else {
    if (inner.size() < 40 || (inner[0] >> 4) != 6) return msg::skip_truncated_icmp_error;
    protocol = inner[6];  // extension headers in a quoted packet are not followed
    std::copy_n(inner.begin() + 8, 16, out.destination.begin());
    std::copy_n(inner.begin() + 24, 16, out.source.begin());
  }
  if (header < 20 || inner.size() < header) return msg::skip_truncated_icmp_error;
  out.protocol = protocol;
  out.icmp_error = true;
  if (protocol == 6 || protocol == 17) {
    if (inner.size() < header + 4) return msg::skip_truncated_icmp_error;
    out.destination_port = static_cast<std::uint16_t>(be16(inner, header));
    out.source_port = static_cast<std::uint16_t>(be16(inner, header + 2));
  }
  return {};
}

bool icmp_error(std::uint8_t protocol, std::uint8_t type) {
  return protocol == 1 ? type == 3 || type == 11 || type == 12 : type >= 1 && type <= 4;
}

constexpr std::uint16_t kTransparentEthernet = 0x6558, kPppoeSession = 0x8864, kMplsUnicast = 0x8847,
                        kMplsMulticast = 0x8848, kPbb = 0x88e7, kErspan2 = 0x88be, kErspan3 = 0x22eb, kPpp = 0x880b;
constexpr std::uint16_t kVxlanPort = 4789, kGenevePort = 6081, kGtpUserPort = 2152, kTeredoPort = 3544,
                        kAyiyaPort = 5072, kGreInUdpPort = 4754;
constexpr int kMaxMplsLabels = 8;

// One frame's headers, outermost first. Hand-written like the rest: each encapsulation is a few
// fixed fields, as tshark's dissectors read them for its conversation tables.
class Layers {
 public:
  Layers(Packet& out, Inner* next) : out_(out), next_(next) {}

  Msg ethernet(View frame) {
    if (frame.size() < 14) return msg::skip_truncated_ethernet_header;
    std::size_t at = 12;
    std::uint16_t type = static_cast<std::uint16_t>(be16(frame, at));
    for (int tags = 0; (type == 0x8100 || type == 0x88a8 || type == 0x9100) && tags < kMaxVlanTags; ++tags) {
      at += 4;
      if (frame.size() < at + 2) return msg::skip_truncated_vlan_tag;
      type = static_cast<std::uint16_t>(be16(frame, at));
    }
    // 802.3: a length where the type would be, then LLC.
    if (type <= 1500) return snap(frame.subspan(at + 2));
    return network(type, frame.subspan(at + 2));
  }

  // LLC with SNAP (AA AA 03, an OUI, the type): 802.3's and FDDI's way of naming IP.
  Msg snap(View llc) {
    if (llc.size() < 8 || llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03) return msg::skip_not_ip;
    return network(static_cast<std::uint16_t>(be16(llc, 6)), llc.subspan(8));
  }

  // PPP's link (address and control FF 03 when present, the protocol in one byte when compressed).
  Msg ppp_link(View p) {
    if (p.size() >= 2 && p[0] == 0xff && p[1] == 0x03) p = p.subspan(2);
    if (p.empty()) return msg::skip_not_ip;
    std::size_t width = (p[0] & 1) ? 1 : 2;
    if (p.size() < width) return msg::skip_not_ip;
    unsigned protocol = width == 1 ? p[0] : be16(p, 0);
    if (protocol == 0x21) return ipv4(p.subspan(width));
    if (protocol == 0x57) return ipv6(p.subspan(width));
    return msg::skip_not_ip;
  }

  // NFLOG (libpcap's LINKTYPE_NFLOG): a 4-byte header, then type-length-value attributes in the
  // capturing host's byte order, padded to 4 bytes; the packet is attribute 9 (NFULA_PAYLOAD).
  Msg nflog(View n) {
    if (n.size() < 4) return msg::skip_truncated_ip_header;
    for (std::size_t at = 4; at + 4 <= n.size();) {
      unsigned length = wire::le16(n, at), type = wire::le16(n, at + 2);
      if (length < 4 || at + length > n.size()) {  // a big-endian capture
        length = be16(n, at), type = be16(n, at + 2);
        if (length < 4 || at + length > n.size()) return msg::skip_truncated_ip_header;
      }
      if (type == 9) return ip(n.subspan(at + 4, length - 4));
      at += (length + 3u) & ~3u;
    }
    return msg::skip_not_ip;
  }

  Msg network(std::uint16_t ethertype, View rest) {
    switch (ethertype) {
      case kIpv4:
        return ipv4(rest);
      case kIpv6:
        return ipv6(rest);
      case kPppoeSession:  // version/type, code, session, length; then PPP's protocol
        if (rest.size() < 8) return msg::skip_truncated_ip_header;
        return ppp(rest.subspan(6));
      case kMplsUnicast:
      case kMplsMulticast:
        return mpls(rest);
      case kPbb:  // the I-tag, then the customer's whole Ethernet header
        if (rest.size() < 4) return msg::skip_truncated_ethernet_header;
        return nested() ? ethernet(rest.subspan(4)) : Msg(msg::skip_not_ip);
    }
    return msg::skip_not_ip;
  }

  // Raw IP: the version nibble says which.
  Msg ip(View rest) {
    if (rest.empty()) return msg::skip_truncated_ip_header;
    if ((rest[0] >> 4) == 4) return ipv4(rest);
    if ((rest[0] >> 4) == 6) return ipv6(rest);
    return msg::skip_not_ip;
  }

  Msg ipv4(View ip) {
    if (ip.size() < 20) return msg::skip_truncated_ipv4_header;
    std::size_t header = (ip[0] & 0x0f) * 4u;
    std::size_t total = be16(ip, 2);
    if (header < 20 || header > ip.size()) return msg::skip_bad_ipv4_header_length;
    // Total length 0 is TCP segmentation offload on the capturing host: the frame's length holds.
    if (total == 0) total = ip.size();
    if (total < header) return msg::skip_bad_ipv4_total_length;
    out_.family = 4;
    out_.source = {};
    out_.destination = {};
    std::copy_n(ip.begin() + 12, 4, out_.source.begin());
    std::copy_n(ip.begin() + 16, 4, out_.destination.begin());
    out_.bytes = total;
    if ((be16(ip, 6) & 0x1fff) != 0) return msg::skip_ip_fragment_after_the_first;
    // Ethernet pads short frames: the IP length, not the frame's, ends the payload.
    return transport(ip[9], ip.subspan(header, std::min(total, ip.size()) - header));
  }

  Msg ipv6(View ip) {
    if (ip.size() < 40) return msg::skip_truncated_ipv6_header;
    out_.family = 6;
    std::copy_n(ip.begin() + 8, 16, out_.source.begin());
    std::copy_n(ip.begin() + 24, 16, out_.destination.begin());
    // Payload length 0 (offload on the capturing host, or a jumbogram): the frame's length holds.
    std::size_t length = be16(ip, 4) ? 40 + be16(ip, 4) : ip.size();
    std::size_t end = std::min(length, ip.size());
    out_.bytes = length;
    std::uint8_t next = ip[6];
    std::size_t at = 40;
    for (int i = 0; i < kMaxIpv6Headers; ++i) {
      if (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination options
        if (end < at + 8) return msg::skip_truncated_ipv6_extension_header;
        next = ip[at], at += (ip[at + 1] + 1u) * 8;
        if (at > end) return msg::skip_truncated_ipv6_extension_header;
        continue;
      }
      if (next == 44) {  // fragment
        if (end < at + 8) return msg::skip_truncated_ipv6_extension_header;
        if ((be16(ip, at + 2) & 0xfff8) != 0) return msg::skip_ip_fragment_after_the_first;
        next = ip[at], at += 8;
        continue;
      }
      return transport(next, ip.subspan(at, end - at));
    }
    return msg::skip_too_many_ipv6_extension_headers;
  }

 private:
  // A header inside another (IP in IP, PBB, MPLS over a pseudowire): followed up to a depth.
  bool nested() { return ++depth_ <= kMaxTunnels; }

  // What the packet carries, for decode_inner; the packet itself is decoded.
  Msg carries(Inner::Kind kind, View bytes) {
    if (next_) *next_ = Inner{kind, bytes};
    return {};
  }

  Msg transport(std::uint8_t protocol, View l4) {
    out_.protocol = protocol;
    switch (protocol) {
      case 6: {
        if (l4.size() < 20) return msg::skip_truncated_tcp_header;
        std::size_t header = (l4[12] >> 4) * 4u;
        if (header < 20 || header > l4.size()) return msg::skip_bad_tcp_header_length;
        out_.source_port = static_cast<std::uint16_t>(be16(l4, 0));
        out_.destination_port = static_cast<std::uint16_t>(be16(l4, 2));
        out_.sequence = be32(l4, 4);
        out_.tcp_flags = l4[13];
        out_.payload = l4.subspan(header);
        return {};
      }
      case 17:
        if (l4.size() < 8) return msg::skip_truncated_udp_header;
        out_.source_port = static_cast<std::uint16_t>(be16(l4, 0));
        out_.destination_port = static_cast<std::uint16_t>(be16(l4, 2));
        out_.payload = l4.subspan(8);
        return udp_tunnel(out_.payload);
      case 1:
      case 58:
        if (l4.empty()) return msg::skip_truncated_icmp_header;
        out_.icmp_type = l4[0];
        if (icmp_error(protocol, l4[0]))
          return l4.size() < 8 ? Msg(msg::skip_truncated_icmp_error) : quoted(out_.family, l4.subspan(8), out_);
        // Router and neighbour discovery and multicast listener reports never leave the link:
        // no firewall between zones sees them.
        if (protocol == 58 && ((l4[0] >= 130 && l4[0] <= 137) || l4[0] == 143))
          return msg::skip_icmpv6_neighbour_discovery_or_multicast;
        return {};
      case 4:   // IPv4 in IP
      case 41:  // IPv6 in IP
        return nested() ? ip(l4) : Msg(msg::skip_other_ip_protocol);
      case 47:
        gre(l4);
        return {};
      case 50:
      case 51:
        return {};
    }
    return msg::skip_other_ip_protocol;
  }

  // GRE (RFC 2784, 2890; version 1 is PPTP's, RFC 2637): a connection of its own, carrying what its
  // protocol type says. A header this reader cannot follow leaves the GRE packet alone.
  void gre(View g) {
    if (g.size() < 4) return;
    unsigned flags = be16(g, 0);
    std::uint16_t type = static_cast<std::uint16_t>(be16(g, 2));
    std::size_t at = 4;
    if ((flags & 7) == 1) {  // PPTP: the key always, sequence and acknowledgement numbers if flagged
      at += 4 + ((flags & 0x1000) ? 4 : 0) + ((flags & 0x0080) ? 4 : 0);
      if (type != kPpp || g.size() < at) return;
      auto payload = g.subspan(at);
      if (payload.size() >= 2 && payload[0] == 0xff && payload[1] == 0x03) payload = payload.subspan(2);
      ppp_inner(payload);
      return;
    }
    if ((flags & 7) != 0 || (flags & 0x4000)) return;  // another version, or source routing
    at += ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) + ((flags & 0x1000) ? 4 : 0);
    if (g.size() < at) return;
    auto payload = g.subspan(at);
    switch (type) {
      case kIpv4:
      case kIpv6:
        carries(Inner::Kind::ip, payload);
        return;
      case kTransparentEthernet:
        carries(Inner::Kind::ethernet, payload);
        return;
      case kErspan2:  // type II has an 8-byte header (and a sequence number); type I has neither
        if (!(flags & 0x1000))
          carries(Inner::Kind::ethernet, payload);
        else if (payload.size() >= 8)
          carries(Inner::Kind::ethernet, payload.subspan(8));
        return;
      case kErspan3: {  // a 12-byte header, and an 8-byte platform header when flagged
        if (payload.size() < 12) return;
        std::size_t header = 12 + ((payload[11] & 0x01) ? 8 : 0);
        if (payload.size() >= header) carries(Inner::Kind::ethernet, payload.subspan(header));
        return;
      }
    }
  }

  // PPP's protocol field (one byte when compressed): IPv4 or IPv6 inside a tunnel.
  void ppp_inner(View p) {
    if (p.empty()) return;
    std::size_t width = (p[0] & 1) ? 1 : 2;
    if (p.size() < width) return;
    unsigned protocol = width == 1 ? p[0] : be16(p, 0);
    if (protocol == 0x21 || protocol == 0x57) carries(Inner::Kind::ip, p.subspan(width));
  }

  // PPPoE's PPP: IPv4 or IPv6 decoded in place (the link, not a tunnel).
  Msg ppp(View p) {
    unsigned protocol = be16(p, 0);
    if (protocol == 0x0021) return ipv4(p.subspan(2));
    if (protocol == 0x0057) return ipv6(p.subspan(2));
    return msg::skip_not_ip;
  }

  // MPLS labels to the bottom of the stack, then IP by its version nibble, or a pseudowire's
  // control word (first nibble 0) and an Ethernet frame, as tshark guesses.
  Msg mpls(View m) {
    std::size_t at = 0;
    for (int labels = 0;; ++labels) {
      if (labels == kMaxMplsLabels || m.size() < at + 4) return msg::skip_truncated_ip_header;
      bool bottom = m[at + 2] & 1;
      at += 4;
      if (bottom) break;
    }
    auto rest = m.subspan(at);
    if (rest.empty()) return msg::skip_truncated_ip_header;
    if ((rest[0] >> 4) == 0 && rest.size() >= 4) return nested() ? ethernet(rest.subspan(4)) : Msg(msg::skip_not_ip);
    return ip(rest);
  }

  // The UDP tunnels tshark decodes on their registered ports: the UDP connection is one, and what
  // it carries is another.
  Msg udp_tunnel(View p) {
    // tshark's rule: the lower port's dissector first, then the higher one's; a client's port is
    // taken for a tunnel's only when the other is no well-known one.
    const auto low = std::min(out_.source_port, out_.destination_port);
    const auto high = std::max(out_.source_port, out_.destination_port);
    auto on = [&](std::uint16_t port) { return low == port || (high == port && low >= 1024); };
    if (on(kVxlanPort) && p.size() >= 8 && (p[0] & 0x08)) return carries(Inner::Kind::ethernet, p.subspan(8));
    if (on(kGenevePort) && p.size() >= 8 && (p[0] >> 6) == 0) {
      std::size_t header = 8 + (p[0] & 0x3f) * 4u;
      auto type = be16(p, 2);
      if (p.size() < header) return {};
      if (type == kTransparentEthernet) return carries(Inner::Kind::ethernet, p.subspan(header));
      if (type == kIpv4 || type == kIpv6) return carries(Inner::Kind::ip, p.subspan(header));
      return {};
    }
    if (on(kGtpUserPort)) return gtp_user(p);
    if (on(kTeredoPort)) return teredo(p);
    if (on(kAyiyaPort)) return ayiya(p);
    if (on(kGreInUdpPort)) gre(p);
    return {};
  }

  // GTPv1-U (3GPP TS 29.281): a G-PDU carries an IP packet after the header, its optional fields
  // and its extension headers.
  Msg gtp_user(View p) {
    if (p.size() < 8 || (p[0] >> 5) != 1 || !(p[0] & 0x10) || p[1] != 0xff) return {};
    std::size_t at = 8;
    if (p[0] & 0x07) {
      if (p.size() < 12) return {};
      std::uint8_t next = (p[0] & 0x04) ? p[11] : 0;
      at = 12;
      for (int i = 0; next != 0 && i < 8; ++i) {
        if (p.size() <= at || p[at] == 0) return {};
        std::size_t length = p[at] * 4u;
        if (p.size() < at + length) return {};
        next = p[at + length - 1];
        at += length;
      }
      if (next != 0) return {};
    }
    return carries(Inner::Kind::ip, p.subspan(at));
  }

  // Teredo (RFC 4380): an IPv6 packet, after an authentication and an origin indicator if present.
  Msg teredo(View p) {
    std::size_t at = 0;
    if (p.size() >= 4 && p[0] == 0 && p[1] == 1) at += 13 + p[2] + p[3];  // authentication
    if (p.size() >= at + 8 && p[at] == 0 && p[at + 1] == 0) at += 8;      // origin indication
    if (p.size() < at + 40 || (p[at] >> 4) != 6) return {};
    return carries(Inner::Kind::ip, p.subspan(at));
  }

  // AYIYA (draft-massar-v6ops-ayiya): an 8-byte header, the identity (2^n bytes), the signature
  // (4n bytes), then the packet its next-header field names.
  Msg ayiya(View p) {
    if (p.size() < 8 || (p[2] & 0x0f) != 1) return {};  // opcode 1: forward
    std::size_t at = 8 + (std::size_t{1} << (p[0] >> 4)) + (p[1] >> 4) * 4u;
    if ((p[3] != 4 && p[3] != 41) || p.size() < at) return {};
    return carries(Inner::Kind::ip, p.subspan(at));
  }

  Packet& out_;
  Inner* next_;
  int depth_ = 0;
};

void reset(Packet& out) {
  out.payload = {};
  out.source_port = out.destination_port = 0;
  out.tcp_flags = out.icmp_type = 0;
  out.icmp_error = false;
}

}  // namespace

bool link_supported(int link_type) {
  switch (link_type) {
    case kLinkNull:
    case kLinkEthernet:
    case kLinkPpp:
    case kLinkPppHdlc:
    case kLinkFddi:
    case kLinkNflog:
    case kLinkRaw:
    case kLinkRawOpenBsd:
    case kLinkRawLinktype:
    case kLinkLoop:
    case kLinkLinuxSll:
    case kLinkIpv4:
    case kLinkIpv6:
    case kLinkLinuxSll2:
      return true;
  }
  return false;
}

Msg decode_frame(int link_type, View frame, Packet& out, Inner* inner) {
  reset(out);
  if (inner) *inner = {};
  Layers layers(out, inner);
  switch (link_type) {
    case kLinkEthernet:
      return layers.ethernet(frame);
    case kLinkPpp:
    case kLinkPppHdlc:
      return layers.ppp_link(frame);
    case kLinkFddi:  // frame control, destination, source; then LLC
      if (frame.size() < 13) return msg::skip_truncated_ethernet_header;
      return layers.snap(frame.subspan(13));
    case kLinkNflog:
      return layers.nflog(frame);
    case kLinkLinuxSll:
      if (frame.size() < 16) return msg::skip_truncated_linux_cooked_header;
      return layers.network(static_cast<std::uint16_t>(be16(frame, 14)), frame.subspan(16));
    case kLinkLinuxSll2:
      if (frame.size() < 20) return msg::skip_truncated_linux_cooked_header;
      return layers.network(static_cast<std::uint16_t>(be16(frame, 0)), frame.subspan(20));
    case kLinkNull:
    case kLinkLoop: {
      if (frame.size() < 4) return msg::skip_truncated_loopback_header;
      return layers.ip(frame.subspan(4));
    }
    case kLinkRaw:
    case kLinkRawOpenBsd:
    case kLinkRawLinktype:
    case kLinkIpv4:
    case kLinkIpv6:
      return layers.ip(frame);
  }
  return msg::skip_unsupported_link_type;
}

Msg decode_inner(Inner& inner, Packet& out) {
  reset(out);
  auto bytes = inner.bytes;
  auto kind = inner.kind;
  inner = {};
  Layers layers(out, &inner);
  return kind == Inner::Kind::ethernet ? layers.ethernet(bytes) : layers.ip(bytes);
}

}  // namespace winports::analyze
