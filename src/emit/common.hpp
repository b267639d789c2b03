#pragma once
// Helpers every emitter shares: address families, host-variant filtering, comments.
#include <algorithm>
#include <string>
#include <vector>

#include "winports/emit/emitter.hpp"

namespace winports::emit::detail {

inline std::vector<plan::Network> of_family(const std::vector<plan::Network>& nets, int family) {
  std::vector<plan::Network> out;
  std::copy_if(nets.begin(), nets.end(), std::back_inserter(out),
               [&](const plan::Network& n) { return n.family == family; });
  return out;
}

inline std::string joined(const std::vector<plan::Network>& nets, const char* separator) {
  std::string out;
  for (const auto& n : nets) out += (out.empty() ? "" : separator) + n.to_string();
  return out;
}

// The addresses of one flow in one family, after the host variant (--host) is applied;
// empty `source` or `destination` means the flow has nothing in this family.
struct FamilyView {
  std::vector<plan::Network> source;
  std::vector<plan::Network> destination;
};

inline FamilyView view(const plan::Flow& f, int family, const plan::Host* only) {
  FamilyView v{of_family(f.source.networks, family), of_family(f.destination.networks, family)};
  if (only)
    v.destination.erase(std::remove_if(v.destination.begin(), v.destination.end(),
                                       [&](const plan::Network& n) { return !n.contains(only->address); }),
                        v.destination.end());
  if ((family == 4 && f.transport == Transport::icmpv6) || (family == 6 && f.transport == Transport::icmp)) v = {};
  return v;
}

// The host named by --host, or an error naming the flag.
inline Result<const plan::Host*> selected_host(const Input& in) {
  if (in.options.host.empty()) return static_cast<const plan::Host*>(nullptr);
  const auto* h = in.env.host(in.options.host);
  if (!h) return Error{in.env.file, 0, 0, "--host", "no host named '" + in.options.host + "'"};
  return h;
}

// Service ids, cut to fit comment limits (nft and iptables: 256 bytes; keep well under).
inline std::string services_comment(const plan::Flow& f, std::size_t limit = 120) {
  std::string out;
  for (const auto& s : plan::services_of(f)) {
    std::string next = out + (out.empty() ? "" : ",") + s;
    if (next.size() > limit) return out + ",...";
    out = next;
  }
  return out;
}

}  // namespace winports::emit::detail
