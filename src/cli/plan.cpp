// winports plan FILE --format F [-o OUT] [--host NAME] | explain FILE --from X --to Y --port P
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "context.hpp"
#include "site.hpp"
#include "winports/catalog/export.hpp"
#include "winports/catalog/query.hpp"
#include "winports/core/file.hpp"
#include "winports/emit/emitter.hpp"
#include "winports/plan/planner.hpp"

namespace winports::cli {

Result<plan::Environment> read_environment(const std::string& path, const catalog::Catalog& c) {
  auto text = read_file(path);
  if (!text) return text.error();
  return plan::load_environment({path, std::move(*text)}, c);
}

bool side_matches(const plan::Endpoint& e, const std::string& name, const plan::Environment& env) {
  for (std::string_view part : {std::string_view(e.name)}) {
    std::size_t start = 0;
    while (start <= part.size()) {
      auto end = part.find(',', start);
      auto piece = part.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      if (piece == name) return true;
      if (const auto* h = env.host(piece); h && h->zone == name) return true;
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }
  return false;
}

// Does any address of the flow's side fall in what the user named (or the other way round)?
bool overlaps(const std::vector<plan::Network>& side, const plan::Place& place) {
  for (const auto& a : side)
    for (const auto& b : place.networks)
      if (a.overlaps(b)) return true;
  return false;
}

// The addresses a skipped requirement's side names ("clients", "dc1,dc2").
std::vector<plan::Network> networks_named(const std::string& names, const plan::Environment& env,
                                          const catalog::Catalog& c) {
  std::vector<plan::Network> out;
  for (std::size_t start = 0; start <= names.size();) {
    auto end = std::min(names.find(',', start), names.size());
    if (auto place = plan::resolve_place(env, c, names.substr(start, end - start), "")) {
      out.insert(out.end(), place->networks.begin(), place->networks.end());
    }
    start = end + 1;
  }
  return out;
}

void add_plan_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string file, format = "nftables", output, host, from, to, port;
  static bool log_drops = false;
  static std::vector<std::string> replace_acl;
  std::vector<std::string> names;
  for (const auto& e : emit::emitters()) names.emplace_back(e.name);
  auto* cmd = app.add_subcommand("plan", "Compute the flows a site needs and emit firewall rules");
  cmd->add_option("FILE", file, "Site description (YAML; see docs/environment.md)")->required();
  cmd->add_option("--format,-f", format, "Output format")->check(CLI::IsMember(names));
  cmd->add_option("--output,-o", output,
                  "Write to FILE instead of standard output (a regular file is replaced atomically; devices, FIFOs and "
                  "symlinks are written through)");
  cmd->add_option("--host", host, "Host-firewall variant for this host (nftables, iptables)");
  cmd->add_flag("--log-drops", log_drops,
                "nftables, iptables: log unplanned traffic between the site's zones (10/s) before dropping it");
  cmd->add_option(
      "--replace-acl", replace_acl,
      "asa: the list in use now (NAME, or INTERFACE=NAME per interface), removed once the new one is bound");
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    if (emit::find_emitter(format)->binary && (output.empty() || output == "-"))
      return void(exit_code = report(Error{"", 0, 0, "--output", format + " is a binary format: give -o FILE"}));
    auto env = read_environment(file, *c);
    if (!env) return void(exit_code = report(env.error()));
    auto plan = plan::make_plan(*env, *c);
    std::vector<std::string> refusals;
    auto text =
        emit::find_emitter(format)->emit({plan, *env, *c, {ctx.lang(), host, log_drops, replace_acl}, &refusals});
    if (!text) return void(exit_code = report(text.error()));
    for (const auto& w : plan.warnings) std::cerr << "winports: warning: " << w << '\n';
    for (const auto& w : refusals) std::cerr << "winports: warning: " << w << '\n';
    std::size_t undecided = 0;
    for (const auto& s : plan.skipped) undecided += s.undecided;
    if (undecided)
      std::cerr << "winports: " << undecided
                << " requirement(s) left out because the file does not decide them (see --format json, \"skipped\")\n";
    if (output.empty() || output == "-")
      std::cout << *text;
    else if (auto st = write_output(output, *text); !st)
      return void(exit_code = report(st.error()));
    exit_code = kFound;
  });

  auto* explain = app.add_subcommand("explain", "Say why a flow is or is not allowed, with KB sources");
  explain->add_option("FILE", file, "Site description")->required();
  explain->add_option("--from", from, "Source zone or host")->required();
  explain->add_option("--to", to, "Destination host or zone")->required();
  explain->add_option("--port", port, "PORT[/tcp|/udp] or gre/esp/icmp")->required();
  explain->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto lang = ctx.lang();
    auto env = read_environment(file, *c);
    if (!env) return void(exit_code = report(env.error()));
    auto query = catalog::parse_port_query(port);
    if (!query) return void(exit_code = report(query.error()));
    auto source = plan::resolve_place(*env, *c, from, "--from");
    if (!source) return void(exit_code = report(source.error()));
    auto destination = plan::resolve_place(*env, *c, to, "--to");
    if (!destination) return void(exit_code = report(destination.error()));
    auto plan = plan::make_plan(*env, *c);
    auto matches_port = [&](Transport t, const PortSet& ports) {
      if (query->transport && *query->transport != t) return false;
      return !query->port || ports.contains(*query->port);
    };
    bool allowed = false;
    std::set<std::string> services_between;  // what the plan allows between the two, on any port
    for (const auto& f : plan.flows) {
      if (!overlaps(f.source.networks, *source) || !overlaps(f.destination.networks, *destination)) continue;
      for (const auto& id : plan::services_of(f)) services_between.insert(id);
      if (!matches_port(f.transport, f.ports)) continue;
      allowed = true;
      std::cout << "ALLOWED " << f.source.name << " -> " << f.destination.name << " " << to_string(f.transport) << " "
                << (f.ports.empty() ? "-" : f.ports.to_string()) << '\n';
      for (const auto& r : f.reasons) {
        const auto* s = c->service(r.service);
        const auto& q = s->requirements[r.requirement];
        if (!query->port || q.ports.contains(*query->port) || !q.dynamic.empty())
          std::cout << "  " << s->names.in(lang) << " [" << s->id << "]: " << q.protocol.in(lang) << " — "
                    << catalog::source_text(*s, q, lang) << '\n';
      }
    }
    if (!allowed) {
      std::cout << "NOT ALLOWED " << source->label << " -> " << destination->label << " " << port << '\n';
      bool said = false;
      std::set<std::string> printed;
      for (const auto& s : plan.skipped) {
        const auto* svc = c->service(s.reason.service);
        const auto& q = svc->requirements[s.reason.requirement];
        if (!overlaps(networks_named(s.from, *env, *c), *source) ||
            !overlaps(networks_named(s.to, *env, *c), *destination))
          continue;
        if (matches_port(q.transport, q.ports) || (!q.dynamic.empty() && query->port && *query->port >= 1025)) {
          std::string line = "  " + svc->id + ": " + q.protocol.in(lang) + " — " +
                             (s.undecided ? "undecided: " : "left out: ") + s.why + " (" +
                             catalog::source_text(*svc, q, lang) + ")";
          if (printed.insert(line).second) std::cout << line << '\n';  // once, whichever entry skipped it
          said = true;
        }
      }
      // Always a reason: nothing grants this pair anything, or what is granted does not cover the port.
      if (!said && services_between.empty())
        std::cout << "  no access entry from " << source->label << " to " << destination->label
                  << " grants anything (see access: in " << file << ")\n";
      else if (!said) {
        std::string granted;
        for (const auto& id : services_between) granted += (granted.empty() ? "" : ", ") + id;
        std::cout << "  the access entries from " << source->label << " to " << destination->label << " grant "
                  << granted << "; none of these uses " << port << '\n';
      }
    }
    exit_code = allowed ? kFound : kNotFound;
  });
}

}  // namespace winports::cli
