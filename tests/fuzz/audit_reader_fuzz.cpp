// The audit's ruleset readers on arbitrary bytes, one target each (nft JSON, nft text,
// iptables-save, Windows reg export, the Windows collector's JSON): a Ruleset or a file:line error, never a crash; a
// ruleset read is then evaluated (a fixed set of packets, and the shadowed-rule search) so the evaluator meets whatever
// a reader lets through.
#include <cstddef>
#include <cstdint>
#include <string>

#include "winports/audit/evaluate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace winports::audit;
  std::string text(reinterpret_cast<const char*>(data), size);
#if defined(WINPORTS_FUZZ_NFT_JSON)
  auto r = read_nft_json("fuzz.json", text, Path::forward);
#elif defined(WINPORTS_FUZZ_NFT)
  auto r = read_nft_text("fuzz.nft", text, Path::forward);
#elif defined(WINPORTS_FUZZ_WINDOWS_REG) || defined(WINPORTS_FUZZ_WINDOWS_JSON)
  static const HostContext host = [] {
    HostContext h;
    h.rpc_ports = winports::PortSet{{49152, 65535}};
    h.local_subnet = winports::AddressSet::of(*winports::parse_network("198.18.20.0/24"));
    h.address = *winports::parse_network("198.18.20.10");
    return h;
  }();
#if defined(WINPORTS_FUZZ_WINDOWS_REG)
  auto r = read_windows_reg("fuzz.reg", text, host);
#else
  auto r = read_windows_json("fuzz.json", text, host);
#endif
#else
  auto r = read_iptables_save("fuzz.rules", text, Path::forward);
#endif
  if (!r.ok()) return 0;
  std::size_t rules = 0;
  for (const auto& [name, chain] : r->chains) rules += chain.rules.size();
  if (rules > 256) return 0;  // the search for shadowed rules is quadratic; big inputs test nothing new
  Cube all;
  Cube established;
  established.states = static_cast<std::uint8_t>(CtState::established);
  (void)evaluate(*r, {all, established});
  (void)shadowed_rules(*r);
  return 0;
}
