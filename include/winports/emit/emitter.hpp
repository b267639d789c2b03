#pragma once
// Every output format sits behind this one interface, one file each under src/emit/.
#include <string>
#include <string_view>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/core/result.hpp"
#include "winports/plan/environment.hpp"
#include "winports/plan/planner.hpp"

namespace winports::emit {

struct Options {
  Lang lang = Lang::en;
  std::string host;  // host-firewall variant for this host ("" = network firewall)
  // nftables/iptables: log unplanned traffic between the site's zones (rate-limited) before
  // dropping it; it is counted either way.
  bool log_drops = false;
  // asa: the access lists in use now, as `show running-config access-group` names them ("NAME",
  // or "INTERFACE=NAME" per interface): removed once the new list is bound.
  std::vector<std::string> replace_acl = {};
  // asa: the device's `show running-config` (its text, and the file it came from): the site's entries
  // then go into the list each interface already has, ahead of the entries that were there.
  std::string running_config = {};
  std::string running_config_file = {};
  // azure-nsg: the network security group of a zone ("ZONE=NAME"), beside the zones' azure_nsg; the
  // priorities the site's rules take ("LO-HI"; empty: data/targets/azure-nsg.yaml's default band);
  // the NSGs as deployed now (`az network nsg show` or `list` -o json, its text and file): unchanged
  // rules keep their priority, new ones take free ones, and the site's rules no longer planned are
  // listed for removal after the deployment.
  std::vector<std::string> azure_nsg = {};
  std::string priority_band = {};
  std::string running_nsg = {};
  std::string running_nsg_file = {};
  // azure-nsg: create each zone's NSG with the site's rules as its whole rule set (it is then the
  // site's), and list the commands that associate it with the zone's subnet ("ZONE=VNET/SUBNET").
  bool create_nsgs = false;
  std::vector<std::string> azure_subnets = {};
};

struct Input {
  const plan::Plan& plan;
  const plan::Environment& env;
  const catalog::Catalog& catalog;
  Options options;
  // Where a format says what it cannot express (a host whose Windows has no NetSecurity module,
  // say); never silently: the CLI prints each as a warning.
  std::vector<std::string>* warnings = nullptr;
};

using EmitFunction = Result<std::string> (*)(const Input&);

struct Emitter {
  std::string_view name;
  std::string_view description;
  EmitFunction emit;
  bool binary = false;  // not text: written only to a file (-o), never to a terminal
};

const std::vector<Emitter>& emitters();
const Emitter* find_emitter(std::string_view name);

Result<std::string> emit_nftables(const Input& in);
Result<std::string> emit_json(const Input& in);
Result<std::string> emit_iptables(const Input& in);
Result<std::string> emit_ip6tables(const Input& in);
Result<std::string> emit_iptables_script(const Input& in);
Result<std::string> emit_powershell(const Input& in);
Result<std::string> emit_netsh(const Input& in);
Result<std::string> emit_asa(const Input& in);
Result<std::string> emit_azure_nsg(const Input& in);
Result<std::string> emit_aws_sg(const Input& in);
Result<std::string> emit_csv(const Input& in);
Result<std::string> emit_markdown(const Input& in);
Result<std::string> emit_html(const Input& in);
Result<std::string> emit_xlsx(const Input& in);

}  // namespace winports::emit
