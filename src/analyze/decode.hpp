#pragma once
// Link, IP and transport headers of one captured frame, decoded into a Packet. Hand-written:
// libpcap delivers frames but decodes nothing, and the headers needed are a handful of fixed
// offsets (a dissector library such as libwireshark would cost more than the whole analysis).
#include <cstdint>
#include <span>

#include "winports/analyze/flows.hpp"

namespace winports::analyze {

// Link types as libpcap's pcap_datalink() reports them (DLT_*).
constexpr int kLinkNull = 0, kLinkEthernet = 1, kLinkPpp = 9, kLinkFddi = 10, kLinkRaw = 12, kLinkRawOpenBsd = 14,
              kLinkPppHdlc = 50, kLinkRawLinktype = 101, kLinkLoop = 108, kLinkLinuxSll = 113, kLinkIpv4 = 228,
              kLinkIpv6 = 229, kLinkNflog = 239, kLinkLinuxSll2 = 276;
bool link_supported(int link_type);

// What a decoded packet carries that is itself a frame or a packet: a tunnel's payload (GRE,
// VXLAN, Geneve, GTP-U, Teredo, AYIYA, GRE in UDP). The tunnel is a connection of its own and so is
// each one inside it, as tshark counts them; IP in IP (4in4, 6in4, 4in6, 6in6) is decoded in place,
// the outer header being no connection.
struct Inner {
  enum class Kind : std::uint8_t { none, ip, ethernet };
  Kind kind = Kind::none;
  std::span<const std::uint8_t> bytes;
};
constexpr int kMaxTunnels = 4;  // nested tunnels followed per frame

// Fills `out` (its time is left alone) or returns why the frame is skipped (empty: decoded); with
// `inner`, says what the packet carries.
Msg decode_frame(int link_type, std::span<const std::uint8_t> frame, Packet& out, Inner* inner = nullptr);
// The packet inside a tunnel, into `out` (its time is left alone); `inner` then says what that one
// carries.
Msg decode_inner(Inner& inner, Packet& out);

}  // namespace winports::analyze
