#pragma once
// Protocol-aware probes: a request that makes a real server answer, and a parser that says what the
// answer proves. One file per protocol under src/probe/; every parser is fuzzed.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "winports/core/text.hpp"
#include "winports/wire/dcerpc.hpp"

namespace winports::probe {

// An RPC interface to ask an endpoint mapper for by name (ept_map).
using RpcInterfaceId = wire::dcerpc::InterfaceId;

// What requests may carry: names the user knows, and the RPC interfaces to map.
struct Hints {
  std::string domain;  // DNS domain: CLDAP ping's DnsDomain and the Kerberos realm ("" = let the DC answer for its own)
  std::string community = "public";     // SNMP v2c
  std::vector<RpcInterfaceId> rpc_map;  // ept_map for each, where enumeration does not list it
};

struct UdpProtocol {
  std::uint16_t port;
  const char* name;
  // The request; `id` lets the parser match the reply to it (DNS id, NTP origin time …).
  std::vector<std::uint8_t> (*request)(std::uint16_t id, const Hints& hints);
  // What the reply proves, or nullopt if it is not a reply to that request.
  std::optional<LocalizedText> (*parse)(std::span<const std::uint8_t> reply, std::uint16_t id);
  bool reply_from_any_port = false;  // TFTP answers from a new port: the socket cannot be connected
};

// The protocol probing a UDP port, or nullptr (then an empty datagram is sent).
const UdpProtocol* udp_protocol(std::uint16_t port);

// An endpoint an RPC endpoint mapper handed out (ncacn_ip_tcp only: the others cross no firewall
// as a port of their own).
using RpcEndpoint = wire::dcerpc::Endpoint;

// One turn of a TCP conversation after the handshake.
struct Step {
  enum class Kind { wait, send, proved, failed };
  Kind kind = Kind::wait;
  LocalizedText detail;  // proved: what the reply proved; failed: why the reply proves nothing
};

// A TCP conversation: the engine sends request(), then hands receive() every byte that arrived
// since; `send` asks for the next request() on the same connection.
class TcpConversation {
 public:
  virtual ~TcpConversation() = default;
  virtual std::vector<std::uint8_t> request() = 0;
  virtual Step receive(std::span<const std::uint8_t> received) = 0;
  std::vector<RpcEndpoint> endpoints;  // what an endpoint mapper handed out
};

struct TcpProtocol {
  std::uint16_t port;
  const char* name;
  std::unique_ptr<TcpConversation> (*start)(const Hints& hints);
};

// The protocol spoken after the handshake on a TCP port, or nullptr (the handshake decides alone).
const TcpProtocol* tcp_protocol(std::uint16_t port);

// UDP probes, one file each.
std::vector<std::uint8_t> dns_request(std::uint16_t id, const Hints& hints);
std::optional<LocalizedText> dns_parse(std::span<const std::uint8_t> reply, std::uint16_t id);
std::vector<std::uint8_t> ntp_request(std::uint16_t id, const Hints& hints);
std::optional<LocalizedText> ntp_parse(std::span<const std::uint8_t> reply, std::uint16_t id);
std::vector<std::uint8_t> kerberos_request(std::uint16_t id, const Hints& hints);
std::optional<LocalizedText> kerberos_parse(std::span<const std::uint8_t> reply, std::uint16_t id);
std::vector<std::uint8_t> kpasswd_request(std::uint16_t id, const Hints& hints);
std::optional<LocalizedText> kpasswd_parse(std::span<const std::uint8_t> reply, std::uint16_t id);
std::vector<std::uint8_t> cldap_request(std::uint16_t id, const Hints& hints);
std::optional<LocalizedText> cldap_parse(std::span<const std::uint8_t> reply, std::uint16_t id);
std::vector<std::uint8_t> netbios_request(std::uint16_t id, const Hints& hints);
std::optional<LocalizedText> netbios_parse(std::span<const std::uint8_t> reply, std::uint16_t id);
std::vector<std::uint8_t> snmp_request(std::uint16_t id, const Hints& hints);
std::optional<LocalizedText> snmp_parse(std::span<const std::uint8_t> reply, std::uint16_t id);
std::vector<std::uint8_t> sqlbrowser_request(std::uint16_t id, const Hints& hints);
std::optional<LocalizedText> sqlbrowser_parse(std::span<const std::uint8_t> reply, std::uint16_t id);
std::vector<std::uint8_t> tftp_request(std::uint16_t id, const Hints& hints);
std::optional<LocalizedText> tftp_parse(std::span<const std::uint8_t> reply, std::uint16_t id);
std::vector<std::uint8_t> ike_request(std::uint16_t id, const Hints& hints);
std::optional<LocalizedText> ike_parse(std::span<const std::uint8_t> reply, std::uint16_t id);
std::vector<std::uint8_t> ssdp_request(std::uint16_t id, const Hints& hints);
std::optional<LocalizedText> ssdp_parse(std::span<const std::uint8_t> reply, std::uint16_t id);

// TCP conversations, one file each.
std::unique_ptr<TcpConversation> epmapper_start(const Hints& hints);
std::unique_ptr<TcpConversation> ldap_start(const Hints& hints);
std::unique_ptr<TcpConversation> smb2_start(const Hints& hints);
std::unique_ptr<TcpConversation> rdp_start(const Hints& hints);
std::unique_ptr<TcpConversation> http_start(const Hints& hints);

}  // namespace winports::probe
