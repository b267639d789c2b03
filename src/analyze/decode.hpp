#pragma once
// Link, IP and transport headers of one captured frame, decoded into a Packet. Hand-written:
// libpcap delivers frames but decodes nothing, and the headers needed are a handful of fixed
// offsets (a dissector library such as libwireshark would cost more than the whole analysis).
#include <cstdint>
#include <span>

#include "winports/analyze/flows.hpp"

namespace winports::analyze {

// Link types as libpcap's pcap_datalink() reports them (DLT_*).
constexpr int kLinkNull = 0, kLinkEthernet = 1, kLinkRaw = 12, kLinkRawOpenBsd = 14, kLinkRawLinktype = 101,
              kLinkLoop = 108, kLinkLinuxSll = 113, kLinkIpv4 = 228, kLinkIpv6 = 229, kLinkLinuxSll2 = 276;
bool link_supported(int link_type);

// Fills `out` (its time is left alone) or returns why the frame is skipped (empty: decoded).
Msg decode_frame(int link_type, std::span<const std::uint8_t> frame, Packet& out);

}  // namespace winports::analyze
