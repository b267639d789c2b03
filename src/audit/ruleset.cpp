#include "winports/audit/ruleset.hpp"

#include "winports/audit/asa_config.hpp"
#include "winports/audit/messages.hpp"

namespace winports::audit {

std::string Location::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (!where.empty()) out += (out.empty() ? "" : ": ") + where;
  return out;
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "auto") return Format::automatic;
  if (name == "nft-json") return Format::nft_json;
  if (name == "nft") return Format::nft;
  if (name == "iptables-save") return Format::iptables_save;
  if (name == "windows-reg") return Format::windows_reg;
  if (name == "windows-json") return Format::windows_json;
  if (name == "asa") return Format::asa;
  if (name == "azure-nsg") return Format::azure_nsg;
  if (name == "aws-sg") return Format::aws_sg;
  return std::nullopt;
}

namespace {

// By content: a reg export starts with its header (in UTF-16LE as reg.exe writes it); the
// collector's JSON names its format, nft's JSON is another object; iptables-save has *table lines;
// nft's text has table blocks or nft commands.
Format detect(const std::string& text) {
  static const std::string kUtf16Reg("\xFF\xFEW\0i\0n\0d\0o\0w\0s\0", 16);
  static const std::string kUtf16Brace("\xFF\xFE{\0", 4);
  // Before iptables-save: a running-config starts ": Saved", whose ':' an iptables chain line has too.
  if (asa::looks_like_asa(text)) return Format::asa;
  if (text.rfind(kUtf16Reg, 0) == 0) return Format::windows_reg;
  if (text.rfind(kUtf16Brace, 0) == 0) return Format::windows_json;
  auto first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (first != std::string::npos && text.compare(first, 23, "Windows Registry Editor") == 0) return Format::windows_reg;
  // AWS: describe-security-groups' object.
  if (first != std::string::npos && text[first] == '{' && text.find("\"SecurityGroups\"") != std::string::npos &&
      text.find("\"IpPermissions\"") != std::string::npos)
    return Format::aws_sg;
  // Azure's NSG JSON: an array of NSGs (az network nsg list), or one (show), with securityRules.
  if (first != std::string::npos && (text[first] == '[' || text[first] == '{') &&
      text.find("\"securityRules\"") != std::string::npos && text.find("\"nftables\"") == std::string::npos)
    return Format::azure_nsg;
  if (first != std::string::npos && text[first] == '{')
    return text.find("\"winports-windows-firewall\"") != std::string::npos ? Format::windows_json : Format::nft_json;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    std::string_view line(text.data() + at, (end == std::string::npos ? text.size() : end) - at);
    at = end == std::string::npos ? text.size() : end + 1;
    auto s = line.find_first_not_of(" \t");
    if (s == std::string_view::npos || line[s] == '#') continue;
    line.remove_prefix(s);
    if (line[0] == '*' || line[0] == ':' || line.rfind("-A ", 0) == 0 || line == "COMMIT") return Format::iptables_save;
    return Format::nft;
  }
  return Format::nft;
}

}  // namespace

Result<Ruleset> read_ruleset(const std::string& file, const std::string& text, Path path, Format format,
                             const HostContext* host, const AsaInterfaces* interfaces, const AzureSite* azure,
                             const AwsInterfaces* aws) {
  if (format == Format::automatic) {
    // An empty dump is both an empty nft ruleset (everything passes) and an ip6tables-save with no
    // table loaded (a family it says nothing of): only the user knows which.
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
      return Error{file, 0, 0, "--format", msg::audit_empty_file()};
    format = detect(text);
  }
  if ((format == Format::windows_reg || format == Format::windows_json) && (!host || path != Path::input))
    return Error{file, 0, 0, "--host", msg::audit_windows_needs_host()};
  if (format == Format::asa && path != Path::forward) return Error{file, 0, 0, "--host", msg::asa_not_network()};
  if (format == Format::azure_nsg && path != Path::forward) return Error{file, 0, 0, "--host", msg::azure_not_host()};
  if (format == Format::aws_sg && path != Path::forward) return Error{file, 0, 0, "--host", msg::aws_not_host()};
  if (format == Format::aws_sg && (!aws || aws->interfaces.empty()))
    return Error{file, 0, 0, "", msg::aws_needs_interfaces()};
  switch (format) {
    case Format::aws_sg:
      return read_aws_sg(file, text, *aws);
    case Format::azure_nsg:
      return read_azure_nsg(file, text, azure ? *azure : AzureSite{});
    case Format::asa:
      return read_asa(file, text, interfaces ? *interfaces : AsaInterfaces{});
    case Format::windows_reg:
      return read_windows_reg(file, text, *host);
    case Format::windows_json:
      return read_windows_json(file, text, *host);
    case Format::nft_json:
      return read_nft_json(file, text, path);
    case Format::iptables_save:
      return read_iptables_save(file, text, path);
    default:
      return read_nft_text(file, text, path);
  }
}

Ruleset merge(std::vector<Ruleset> parts) {
  if (parts.size() == 1) return std::move(parts.front());
  Ruleset out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    // Chain names of different files are different chains ("filter FORWARD" of iptables and of ip6tables).
    std::string prefix = std::to_string(i + 1) + ":";
    auto& part = parts[i];
    for (auto& [name, chain] : part.chains) {
      chain.name = prefix + name;
      for (auto& rule : chain.rules)
        if (!rule.target.empty()) rule.target = prefix + rule.target;
      out.chains.emplace(prefix + name, std::move(chain));
    }
    for (auto& stage : part.stages) {
      stage.chain = prefix + stage.chain;
      out.stages.push_back(std::move(stage));
    }
    out.covers_ipv4 = out.covers_ipv4 || part.covers_ipv4;
    out.covers_ipv6 = out.covers_ipv6 || part.covers_ipv6;
    for (auto& f : part.files) out.files.push_back(std::move(f));
    for (auto& n : part.notes) out.notes.push_back(std::move(n));
    for (auto& n : part.inactive) out.inactive.push_back(std::move(n));
  }
  return out;
}

}  // namespace winports::audit
