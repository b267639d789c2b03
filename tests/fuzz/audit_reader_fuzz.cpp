// The audit's ruleset readers on arbitrary bytes, one target each (nft JSON, nft text,
// iptables-save, Windows reg export, the Windows collector's JSON, Azure's NSG JSON, AWS's security groups, an ASA
// running-config — whose bytes are also applied as configuration-mode commands to a small configuration, the model the
// ASA output is proven with): a Ruleset or a file:line error, never a crash; a ruleset read is then evaluated (a fixed
// set of packets, and the shadowed-rule search) so the evaluator meets whatever a reader lets through.
#include <cstddef>
#include <cstdint>
#include <string>

#include "winports/audit/asa_config.hpp"
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
    h.addresses = {*winports::parse_network("198.18.20.10"), *winports::parse_network("2001:db8:20::10")};
    return h;
  }();
#if defined(WINPORTS_FUZZ_WINDOWS_REG)
  auto r = read_windows_reg("fuzz.reg", text, host);
#else
  auto r = read_windows_json("fuzz.json", text, host);
#endif
#elif defined(WINPORTS_FUZZ_ASA)
  static const AsaInterfaces interfaces = [] {
    AsaInterfaces i;
    i.networks["inside"] = winports::AddressSet::of(*winports::parse_network("198.18.10.0/24"));
    i.networks["dmz"] = winports::AddressSet::of(*winports::parse_network("198.18.60.0/24"));
    return i;
  }();
  static const asa::Config base = *asa::parse_config(
      "base",
      "interface G0\n nameif inside\n security-level 100\nobject network h\n host 198.18.10.5\n"
      "access-list IN extended permit tcp object h any eq www\naccess-list IN extended permit ip any any\n"
      "access-group IN in interface inside\n");
  auto edited = base;
  if (asa::apply_commands(edited, "fuzz.cmd", text).ok()) {
    auto again = asa::parse_config("printed", asa::running_config(edited));
    if (!again.ok() || asa::running_config(*again) != asa::running_config(edited)) __builtin_trap();
    (void)read_asa_config(edited, interfaces);
  }
  auto r = read_asa("fuzz.cfg", text, interfaces);
#elif defined(WINPORTS_FUZZ_AZURE_NSG)
  // Azure: the same bytes as a NIC list (az network nic list), then as NSGs (az network nsg list).
  AzureSite site;
  site.zones_of_nsg["nsg-dcs"] = winports::AddressSet::of(*winports::parse_network("198.18.60.0/24"));
  site.zones_of_nsg["nsg-servers"] = winports::AddressSet::of(*winports::parse_network("2001:db8:70::/64"));
  site.nsg_of_zone = {{"dcs", "nsg-dcs"}, {"servers", "nsg-servers"}, {"clients", ""}};
  site.virtual_network = site.zones_of_nsg["nsg-dcs"].unite(site.zones_of_nsg["nsg-servers"]);
  if (is_azure_nic_list(text)) (void)add_azure_nics(site, "fuzz-nics.json", text);
  auto r = read_azure_nsg("fuzz.json", text, site);
#elif defined(WINPORTS_FUZZ_AWS_SG)
  // AWS: the same bytes as network interfaces, then as security groups through two fixed interfaces.
  AwsInterfaces interfaces;
  interfaces.interfaces = {
      {"eni-dc1", winports::AddressSet::of(*winports::parse_network("198.18.60.10")), {"sg-1", "sg-2"}},
      {"eni-app1", winports::AddressSet::of(*winports::parse_network("2001:db8:70::20")), {"sg-2"}}};
  if (is_aws_interfaces(text)) (void)add_aws_interfaces(interfaces, "fuzz-enis.json", text);
  auto r = read_aws_sg("fuzz.json", text, interfaces);
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
