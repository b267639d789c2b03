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

Msg transport(std::uint8_t protocol, View l4, Packet& out) {
  out.protocol = protocol;
  switch (protocol) {
    case 6: {
      if (l4.size() < 20) return msg::skip_truncated_tcp_header;
      std::size_t header = (l4[12] >> 4) * 4u;
      if (header < 20 || header > l4.size()) return msg::skip_bad_tcp_header_length;
      out.source_port = static_cast<std::uint16_t>(be16(l4, 0));
      out.destination_port = static_cast<std::uint16_t>(be16(l4, 2));
      out.sequence = be32(l4, 4);
      out.tcp_flags = l4[13];
      out.payload = l4.subspan(header);
      return {};
    }
    case 17:
      if (l4.size() < 8) return msg::skip_truncated_udp_header;
      out.source_port = static_cast<std::uint16_t>(be16(l4, 0));
      out.destination_port = static_cast<std::uint16_t>(be16(l4, 2));
      out.payload = l4.subspan(8);
      return {};
    case 1:
    case 58:
      if (l4.empty()) return msg::skip_truncated_icmp_header;
      out.icmp_type = l4[0];
      if (icmp_error(protocol, l4[0]))
        return l4.size() < 8 ? Msg(msg::skip_truncated_icmp_error) : quoted(out.family, l4.subspan(8), out);
      // Router and neighbour discovery and multicast listener reports never leave the link:
      // no firewall between zones sees them.
      if (protocol == 58 && ((l4[0] >= 130 && l4[0] <= 137) || l4[0] == 143))
        return msg::skip_icmpv6_neighbour_discovery_or_multicast;
      return {};
    case 47:
    case 50:
    case 51:
      return {};
  }
  return msg::skip_other_ip_protocol;
}

Msg ipv4(View ip, Packet& out) {
  if (ip.size() < 20) return msg::skip_truncated_ipv4_header;
  std::size_t header = (ip[0] & 0x0f) * 4u;
  std::size_t total = be16(ip, 2);
  if (header < 20 || header > ip.size()) return msg::skip_bad_ipv4_header_length;
  // Total length 0 is TCP segmentation offload on the capturing host: the frame's length holds.
  if (total == 0) total = ip.size();
  if (total < header) return msg::skip_bad_ipv4_total_length;
  out.family = 4;
  out.source = {};
  out.destination = {};
  std::copy_n(ip.begin() + 12, 4, out.source.begin());
  std::copy_n(ip.begin() + 16, 4, out.destination.begin());
  out.bytes = total;
  if ((be16(ip, 6) & 0x1fff) != 0) return msg::skip_ip_fragment_after_the_first;
  // Ethernet pads short frames: the IP length, not the frame's, ends the payload.
  return transport(ip[9], ip.subspan(header, std::min(total, ip.size()) - header), out);
}

Msg ipv6(View ip, Packet& out) {
  if (ip.size() < 40) return msg::skip_truncated_ipv6_header;
  out.family = 6;
  std::copy_n(ip.begin() + 8, 16, out.source.begin());
  std::copy_n(ip.begin() + 24, 16, out.destination.begin());
  // Payload length 0 (offload on the capturing host, or a jumbogram): the frame's length holds.
  std::size_t length = be16(ip, 4) ? 40 + be16(ip, 4) : ip.size();
  std::size_t end = std::min(length, ip.size());
  out.bytes = length;
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
    return transport(next, ip.subspan(at, end - at), out);
  }
  return msg::skip_too_many_ipv6_extension_headers;
}

Msg network(std::uint16_t ethertype, View rest, Packet& out) {
  if (ethertype == kIpv4) return ipv4(rest, out);
  if (ethertype == kIpv6) return ipv6(rest, out);
  return msg::skip_not_ip;
}

// Raw IP: the version nibble says which.
Msg raw_ip(View rest, Packet& out) {
  if (rest.empty()) return msg::skip_truncated_ip_header;
  if ((rest[0] >> 4) == 4) return ipv4(rest, out);
  if ((rest[0] >> 4) == 6) return ipv6(rest, out);
  return msg::skip_not_ip;
}

}  // namespace

bool link_supported(int link_type) {
  switch (link_type) {
    case kLinkNull:
    case kLinkEthernet:
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

Msg decode_frame(int link_type, View frame, Packet& out) {
  out.payload = {};
  out.source_port = out.destination_port = 0;
  out.tcp_flags = out.icmp_type = 0;
  out.icmp_error = false;
  switch (link_type) {
    case kLinkEthernet: {
      if (frame.size() < 14) return msg::skip_truncated_ethernet_header;
      std::size_t at = 12;
      std::uint16_t type = static_cast<std::uint16_t>(be16(frame, at));
      for (int tags = 0; (type == 0x8100 || type == 0x88a8 || type == 0x9100) && tags < kMaxVlanTags; ++tags) {
        at += 4;
        if (frame.size() < at + 2) return msg::skip_truncated_vlan_tag;
        type = static_cast<std::uint16_t>(be16(frame, at));
      }
      return network(type, frame.subspan(at + 2), out);
    }
    case kLinkLinuxSll:
      if (frame.size() < 16) return msg::skip_truncated_linux_cooked_header;
      return network(static_cast<std::uint16_t>(be16(frame, 14)), frame.subspan(16), out);
    case kLinkLinuxSll2:
      if (frame.size() < 20) return msg::skip_truncated_linux_cooked_header;
      return network(static_cast<std::uint16_t>(be16(frame, 0)), frame.subspan(20), out);
    case kLinkNull:
    case kLinkLoop: {
      if (frame.size() < 4) return msg::skip_truncated_loopback_header;
      return raw_ip(frame.subspan(4), out);
    }
    case kLinkRaw:
    case kLinkRawOpenBsd:
    case kLinkRawLinktype:
    case kLinkIpv4:
    case kLinkIpv6:
      return raw_ip(frame, out);
  }
  return msg::skip_unsupported_link_type;
}

}  // namespace winports::analyze
