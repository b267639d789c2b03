#include "decode.hpp"

#include <algorithm>

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
const char* quoted(int family, View inner, Packet& out) {
  std::size_t header = 40;
  std::uint8_t protocol = 0;
  if (family == 4) {
    if (inner.size() < 20 || (inner[0] >> 4) != 4) return "truncated ICMP error";
    header = (inner[0] & 0x0f) * 4u;
    protocol = inner[9];
    std::copy_n(inner.begin() + 12, 4, out.destination.begin());
    std::copy_n(inner.begin() + 16, 4, out.source.begin());
    std::fill(out.destination.begin() + 4, out.destination.end(), 0);
    std::fill(out.source.begin() + 4, out.source.end(), 0);
  } else {
    if (inner.size() < 40 || (inner[0] >> 4) != 6) return "truncated ICMP error";
    protocol = inner[6];  // extension headers in a quoted packet are not followed
    std::copy_n(inner.begin() + 8, 16, out.destination.begin());
    std::copy_n(inner.begin() + 24, 16, out.source.begin());
  }
  if (header < 20 || inner.size() < header) return "truncated ICMP error";
  out.protocol = protocol;
  out.icmp_error = true;
  if (protocol == 6 || protocol == 17) {
    if (inner.size() < header + 4) return "truncated ICMP error";
    out.destination_port = static_cast<std::uint16_t>(be16(inner, header));
    out.source_port = static_cast<std::uint16_t>(be16(inner, header + 2));
  }
  return nullptr;
}

bool icmp_error(std::uint8_t protocol, std::uint8_t type) {
  return protocol == 1 ? type == 3 || type == 11 || type == 12 : type >= 1 && type <= 4;
}

const char* transport(std::uint8_t protocol, View l4, Packet& out) {
  out.protocol = protocol;
  switch (protocol) {
    case 6: {
      if (l4.size() < 20) return "truncated TCP header";
      std::size_t header = (l4[12] >> 4) * 4u;
      if (header < 20 || header > l4.size()) return "bad TCP header length";
      out.source_port = static_cast<std::uint16_t>(be16(l4, 0));
      out.destination_port = static_cast<std::uint16_t>(be16(l4, 2));
      out.sequence = be32(l4, 4);
      out.tcp_flags = l4[13];
      out.payload = l4.subspan(header);
      return nullptr;
    }
    case 17:
      if (l4.size() < 8) return "truncated UDP header";
      out.source_port = static_cast<std::uint16_t>(be16(l4, 0));
      out.destination_port = static_cast<std::uint16_t>(be16(l4, 2));
      out.payload = l4.subspan(8);
      return nullptr;
    case 1:
    case 58:
      if (l4.empty()) return "truncated ICMP header";
      out.icmp_type = l4[0];
      if (icmp_error(protocol, l4[0]))
        return l4.size() < 8 ? "truncated ICMP error" : quoted(out.family, l4.subspan(8), out);
      // Router and neighbour discovery and multicast listener reports never leave the link:
      // no firewall between zones sees them.
      if (protocol == 58 && ((l4[0] >= 130 && l4[0] <= 137) || l4[0] == 143))
        return "ICMPv6 neighbour discovery or multicast listener (link-local)";
      return nullptr;
    case 47:
    case 50:
    case 51:
      return nullptr;
  }
  return "other IP protocol";
}

const char* ipv4(View ip, Packet& out) {
  if (ip.size() < 20) return "truncated IPv4 header";
  std::size_t header = (ip[0] & 0x0f) * 4u;
  std::size_t total = be16(ip, 2);
  if (header < 20 || header > ip.size()) return "bad IPv4 header length";
  // Total length 0 is TCP segmentation offload on the capturing host: the frame's length holds.
  if (total == 0) total = ip.size();
  if (total < header) return "bad IPv4 total length";
  out.family = 4;
  out.source = {};
  out.destination = {};
  std::copy_n(ip.begin() + 12, 4, out.source.begin());
  std::copy_n(ip.begin() + 16, 4, out.destination.begin());
  out.bytes = total;
  if ((be16(ip, 6) & 0x1fff) != 0) return "IP fragment after the first";
  // Ethernet pads short frames: the IP length, not the frame's, ends the payload.
  return transport(ip[9], ip.subspan(header, std::min(total, ip.size()) - header), out);
}

const char* ipv6(View ip, Packet& out) {
  if (ip.size() < 40) return "truncated IPv6 header";
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
      if (end < at + 8) return "truncated IPv6 extension header";
      next = ip[at], at += (ip[at + 1] + 1u) * 8;
      if (at > end) return "truncated IPv6 extension header";
      continue;
    }
    if (next == 44) {  // fragment
      if (end < at + 8) return "truncated IPv6 extension header";
      if ((be16(ip, at + 2) & 0xfff8) != 0) return "IP fragment after the first";
      next = ip[at], at += 8;
      continue;
    }
    return transport(next, ip.subspan(at, end - at), out);
  }
  return "too many IPv6 extension headers";
}

const char* network(std::uint16_t ethertype, View rest, Packet& out) {
  if (ethertype == kIpv4) return ipv4(rest, out);
  if (ethertype == kIpv6) return ipv6(rest, out);
  return "not IP";
}

// Raw IP: the version nibble says which.
const char* raw_ip(View rest, Packet& out) {
  if (rest.empty()) return "truncated IP header";
  if ((rest[0] >> 4) == 4) return ipv4(rest, out);
  if ((rest[0] >> 4) == 6) return ipv6(rest, out);
  return "not IP";
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

const char* decode_frame(int link_type, View frame, Packet& out) {
  out.payload = {};
  out.source_port = out.destination_port = 0;
  out.tcp_flags = out.icmp_type = 0;
  out.icmp_error = false;
  switch (link_type) {
    case kLinkEthernet: {
      if (frame.size() < 14) return "truncated Ethernet header";
      std::size_t at = 12;
      std::uint16_t type = static_cast<std::uint16_t>(be16(frame, at));
      for (int tags = 0; (type == 0x8100 || type == 0x88a8 || type == 0x9100) && tags < kMaxVlanTags; ++tags) {
        at += 4;
        if (frame.size() < at + 2) return "truncated VLAN tag";
        type = static_cast<std::uint16_t>(be16(frame, at));
      }
      return network(type, frame.subspan(at + 2), out);
    }
    case kLinkLinuxSll:
      if (frame.size() < 16) return "truncated Linux cooked header";
      return network(static_cast<std::uint16_t>(be16(frame, 14)), frame.subspan(16), out);
    case kLinkLinuxSll2:
      if (frame.size() < 20) return "truncated Linux cooked header";
      return network(static_cast<std::uint16_t>(be16(frame, 0)), frame.subspan(20), out);
    case kLinkNull:
    case kLinkLoop: {
      if (frame.size() < 4) return "truncated loopback header";
      return raw_ip(frame.subspan(4), out);
    }
    case kLinkRaw:
    case kLinkRawOpenBsd:
    case kLinkRawLinktype:
    case kLinkIpv4:
    case kLinkIpv6:
      return raw_ip(frame, out);
  }
  return "unsupported link type";
}

}  // namespace winports::analyze
