// Cisco ASA (9.x, unified IPv4/IPv6 ACLs): network and service object-groups and extended access
// lists, every name derived from its content — the same members give the same group name and the
// same rules the same list name, so a change to one part of the site renames nothing else and a
// change review shows only what changed. Replacing leaves no gap: the new list is defined beside
// the one in use, bound with `access-group` (which swaps the interface's binding in one step), and
// only then is the previous list removed (named by --replace-acl, or by the closing remark). A zone
// may name the interface its traffic arrives on (`asa_interface`): each interface then gets the
// list of the flows entering it. The ASA is stateful, so return traffic needs no rule.
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "common.hpp"
#include "winports/audit/asa_config.hpp"
#include "winports/audit/ruleset.hpp"
#include "winports/emit/messages.hpp"

namespace winports::emit {
namespace {

std::string name_part(std::string_view text, std::size_t limit) {
  auto out = identifier(text, "-_.");
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::string network_object(const Network& n) {
  const int full = n.family == 4 ? 32 : 128;
  if (n.prefix == full) return "network-object host " + n.to_string();
  if (n.family == 6) return "network-object " + n.to_string();
  std::uint32_t mask = n.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - n.prefix);
  auto address = n.to_string();
  address.resize(address.find('/'));
  return "network-object " + address + " " + std::to_string(mask >> 24) + "." + std::to_string((mask >> 16) & 255) +
         "." + std::to_string((mask >> 8) & 255) + "." + std::to_string(mask & 255);
}

struct Group {
  std::string definition;           // the lines after "object-group …"
  std::vector<std::string> owners;  // endpoint names that use it (network groups' description)
  std::string header;
};

struct Writer {
  const Input& in;
  const plan::Host* only;
  std::string prefix;  // "wp-SITE"
  std::map<std::string, Group> groups;
  std::vector<std::string> group_order;  // first use first
  // interface ("" = one list) → (remark, entry) pairs, the entry without "access-list NAME"
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> aces;
  std::string remark_prefix;  // "wp-SITE: " when the entries go into a list the site shares

  const std::string& add_group(const std::string& kind, const std::string& header, const std::string& body,
                               const std::string& owner) {
    auto name = prefix + (kind == "network" ? "-n-" : "-s-") + detail::content_hash(header + "\n" + body);
    auto [it, fresh] = groups.try_emplace(name, Group{body, {}, "object-group " + kind + " " + name + header});
    if (fresh) group_order.push_back(name);
    // Endpoint names may already be lists ("mail1,web1"): each name once.
    auto& owners = it->second.owners;
    for (std::size_t start = 0; start < owner.size();) {
      auto end = std::min(owner.find(',', start), owner.size());
      auto one = owner.substr(start, end - start);
      if (std::find(owners.begin(), owners.end(), one) == owners.end()) owners.push_back(one);
      start = end + 1;
    }
    return it->first;
  }

  std::string network_group(const std::string& owner, std::vector<Network> nets) {
    std::sort(nets.begin(), nets.end());
    std::string body;
    for (const auto& n : nets) body += " " + network_object(n) + "\n";
    return add_group("network", "", body, owner);
  }

  std::string service_group(const plan::Flow& f) {
    std::string body;
    for (auto r : f.ports.ranges())
      body += (r.lo == r.hi ? " port-object eq " + std::to_string(r.lo)
                            : " port-object range " + std::to_string(r.lo) + " " + std::to_string(r.hi)) +
              "\n";
    return add_group("service", " " + std::string(to_string(f.transport)), body, "");
  }

  // The interface a source network's traffic arrives on: its zone's, or "" when no zone names one.
  std::string interface_of(const Network& n) const {
    for (const auto& z : in.env.zones)
      for (const auto& zn : z.networks)
        if (zn.contains(n)) return z.asa_interface;
    return "";
  }

  void flow(const plan::Flow& f, bool by_interface) {
    auto pieces = [&](const std::vector<Network>& src, const std::vector<Network>& dst, const std::string& protocol) {
      if (src.empty() || dst.empty()) return;
      if (!by_interface) return ace("", f, src, dst, protocol);
      std::map<std::string, std::vector<Network>> per_interface;
      for (const auto& n : src) per_interface[interface_of(n)].push_back(n);
      for (const auto& [iface, nets] : per_interface) {
        if (iface.empty()) {
          detail::refuse(in, msg::emit_asa_no_interface.in(in.options.lang, plan::flow_label(f), protocol,
                                                           nets.front().to_string()));
          continue;
        }
        ace(iface, f, nets, dst, protocol);
      }
    };
    if (f.transport == Transport::icmp || f.transport == Transport::icmpv6) {
      // An ACE's ICMP version picks one family, so ICMP gets one rule per family.
      for (int family : {4, 6}) {
        auto v = detail::view(f, family, only);
        pieces(v.source, v.destination, family == 4 ? "icmp" : "icmp6");
      }
      return;
    }
    auto [src, dst] = detail::view_all(f, only);
    pieces(src, dst, std::string(to_string(f.transport)));
  }

  void ace(const std::string& iface, const plan::Flow& f, const std::vector<Network>& src,
           const std::vector<Network>& dst, const std::string& protocol) {
    auto remark = "remark " + detail::cut_utf8(remark_prefix + plan::flow_label(f) + " " + protocol + ": " +
                                                   plan::reasons_text(f, in.catalog, in.options.lang),
                                               100);
    if (remark_prefix.empty())  // the standalone list's remarks, as they always were
      remark = "remark " +
               detail::cut_utf8(plan::flow_label(f) + ": " + plan::reasons_text(f, in.catalog, in.options.lang), 100);
    std::string rule = "extended permit " + protocol + " object-group " + network_group(f.source.name, src);
    auto d = "object-group " + network_group(f.destination.name, dst);
    if (f.transport == Transport::tcp || f.transport == Transport::udp)
      rule += (f.source_port ? " eq " + std::to_string(*f.source_port) : "") + " " + d + " object-group " +
              service_group(f);
    else
      rule += " " + d + (f.icmp_type == "echo" ? " echo" : "");
    aces[iface].emplace_back(remark, rule);
  }
};

// --replace-acl: "NAME" for the one list, "INTERFACE=NAME" per interface.
std::map<std::string, std::string> previous_lists(const Input& in) {
  std::map<std::string, std::string> out;
  for (const auto& item : in.options.replace_acl) {
    auto eq = item.find('=');
    if (eq == std::string::npos)
      out[""] = item;
    else
      out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

// Whether a list entry is one a winports plan of this site wrote: it names one of the site's groups
// (named "wp-SITE-n-" or "-s-" and eight hex digits of their content), or is one of its remarks.
bool written_by_site(const std::string& entry, const std::string& prefix) {
  if (entry.rfind("remark " + prefix + ": ", 0) == 0) return true;
  std::istringstream words(entry);
  for (std::string w; words >> w;) {
    if (w.size() != prefix.size() + 11 || w.compare(0, prefix.size(), prefix) != 0) continue;
    auto kind = w.substr(prefix.size(), 3);
    if ((kind == "-n-" || kind == "-s-") &&
        std::all_of(w.end() - 8, w.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
      return true;
  }
  return false;
}

// The site's own networks whose traffic arrives on `iface` ("" = every one), in both families.
std::vector<Network> sources_on(const Input& in, const std::string& iface) {
  std::vector<Network> nets;
  for (const auto& z : in.env.zones)
    if (!z.outside && (iface.empty() || z.asa_interface == iface))
      nets.insert(nets.end(), z.networks.begin(), z.networks.end());
  return detail::fewest_networks(std::move(nets));
}

std::vector<Network> both_families(const std::function<std::vector<Network>(int)>& of) {
  auto v4 = of(4), v6 = of(6);
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

// Where the site's entries land in a device's running-config: in the list bound to each interface,
// ahead of the entries that were there, then a deny of the site's own unplanned traffic, so whatever
// is not the site's falls through to the entries that decided it before. A re-plan adds its new
// entries (at the place of the previous plan's) before it removes the previous plan's entries, by
// their exact text: every planned flow is permitted at every step, and entries that did not change
// stay. Exact `no access-list` lines rather than `configure session`: they paste into every 9.x
// release and context, and each step leaves a list that is consistent on its own.
Result<std::string> into_running_config(const Input& in, Writer& w, std::ostringstream& out) {
  auto config = audit::asa::parse_config(in.options.running_config_file, in.options.running_config);
  if (!config) return config.error();
  // Its entries read as the audit reads them: a configuration this cannot read is refused here, with
  // its line, rather than edited.
  if (auto read = audit::read_asa_config(*config, {}); !read) return read.error();
  const auto lang = in.options.lang;
  std::set<std::string> bind_new;  // --replace-acl IFACE=none
  for (const auto& item : in.options.replace_acl) {
    auto eq = item.find('=');
    if (eq == std::string::npos || item.substr(eq + 1) != "none")
      return Error{in.env.file, 0, 0, "--replace-acl", msg::emit_asa_replace_with_config()};
    bind_new.insert(item.substr(0, eq));
  }
  // Flows whose zones name no interface: the one interface the configuration binds a list to.
  std::map<std::string, std::string> interface_of;  // the writer's key → nameif
  std::set<std::string> ifaces;
  for (const auto& z : in.env.zones)
    if (!z.outside && !z.asa_interface.empty()) ifaces.insert(z.asa_interface);
  for (const auto& [key, pairs] : w.aces) ifaces.insert(key);
  if (ifaces.count("")) {
    std::vector<std::string> bound;
    for (const auto& g : config->groups)
      if (g.direction == "in") bound.push_back(g.interface);
    if (bound.size() != 1)
      return Error{in.options.running_config_file, 0, 0, "access-group",
                   msg::emit_asa_pick_interface(std::to_string(bound.size()), join(bound, ", "))};
    ifaces.erase("");
    ifaces.insert(bound.front());
    interface_of[""] = bound.front();
  }
  auto outside = std::find_if(in.env.zones.begin(), in.env.zones.end(), [](const plan::Zone& z) { return z.outside; });

  std::ostringstream lists;
  for (const auto& iface : ifaces) {
    std::string key = interface_of.count("") && interface_of[""] == iface ? "" : iface;
    const auto& pairs = w.aces[key];
    // The deny of the site's own traffic that no permit above names: from this interface's zones to
    // every address of the site, and to the outside where an access entry names the pair.
    std::vector<std::string> denies;
    auto sources = sources_on(in, key);
    if (!sources.empty()) {
      auto site = both_families([&](int family) { return detail::site_networks(in.env, family); });
      denies.push_back("extended deny ip object-group " + w.network_group("site", sources) + " object-group " +
                       w.network_group("site", site));
      auto to_outside = both_families([&](int family) { return detail::outside_pairs(in, family, w.only).second; });
      std::erase_if(to_outside, [&](const Network& n) {
        return std::none_of(sources.begin(), sources.end(), [&](const Network& s) { return s.contains(n); });
      });
      if (!to_outside.empty() && outside != in.env.zones.end())
        denies.push_back("extended deny ip object-group " + w.network_group("site", to_outside) + " object-group " +
                         w.network_group("any", outside->networks));
      // Where every flow arrives on the one interface, the outside's arrive there too: the site's
      // side of those pairs is the site's to decide.
      auto from_outside = both_families([&](int family) { return detail::outside_pairs(in, family, w.only).first; });
      if (key.empty() && !from_outside.empty() && outside != in.env.zones.end())
        denies.push_back("extended deny ip object-group " + w.network_group("any", outside->networks) +
                         " object-group " + w.network_group("site", from_outside));
    }
    std::string deny_remark = "remark " + detail::cut_utf8(msg::asa_deny_remark.in(lang, w.prefix), 100);

    const auto* binding = config->binding(iface, "in");
    lists << "!\n" << commented(msg::asa_traffic_arriving.in(lang, iface), "! ");
    if (!binding && !bind_new.count(iface)) {
      detail::refuse(in, msg::emit_asa_no_list_bound.in(in.options.lang, iface));
      lists << commented(msg::emit_asa_no_list_bound.in(lang, iface), "! ");
      continue;
    }
    std::string name = binding ? binding->list : w.prefix + "-" + name_part(iface, 16);
    std::vector<std::string> entries;
    if (const auto* list = config->list(name))
      for (const auto& e : list->entries) entries.push_back(e.text);
    bool all_ours = name.rfind(w.prefix + "-", 0) == 0;  // a list an earlier winports plan made
    std::vector<std::size_t> old_block;
    for (std::size_t i = 0; i < entries.size(); ++i)
      if (all_ours || written_by_site(entries[i], w.prefix)) old_block.push_back(i);
    std::set<std::string> old_entries;
    for (auto i : old_block) old_entries.insert(entries[i]);
    std::set<std::string> wanted;
    for (const auto& [remark, rule] : pairs) wanted.insert({remark, rule});
    if (!denies.empty()) wanted.insert(deny_remark);
    for (const auto& d : denies) wanted.insert(d);

    if (!binding) {
      lists << commented(msg::asa_warning_had_no_list.in(lang, iface, name), "! ");
    } else {
      lists << commented(msg::asa_entries_go_into.in(lang, name, iface), "! ");
    }
    auto has = [&](const std::string& e) { return std::find(entries.begin(), entries.end(), e) != entries.end(); };
    auto insert = [&](std::size_t& at, const std::string& entry) {
      if (binding)
        lists << "access-list " << name << " line " << at + 1 << " " << entry << "\n";
      else
        lists << "access-list " << name << " " << entry << "\n";
      entries.insert(entries.begin() + static_cast<std::ptrdiff_t>(at), entry);
      ++at;
    };
    std::size_t at = old_block.empty() ? 0 : old_block.front();
    std::size_t inserted = 0;
    for (const auto& [remark, rule] : pairs) {
      if (old_entries.count(rule)) continue;  // unchanged: stays where it is
      auto before = at;
      if (!has(remark)) insert(at, remark);
      insert(at, rule);
      inserted += at - before;
    }
    // The deny goes after the previous plan's block, so the permits that stay are still above it.
    std::size_t deny_at = old_block.empty() ? at : old_block.back() + inserted + 1;
    bool deny_changed =
        std::any_of(denies.begin(), denies.end(), [&](const std::string& d) { return !old_entries.count(d); });
    if (deny_changed && !has(deny_remark)) insert(deny_at, deny_remark);
    for (const auto& d : denies)
      if (!old_entries.count(d)) insert(deny_at, d);
    if (!binding) lists << "access-group " << name << " in interface " << iface << "\n";
    // Then the previous plan's entries that the new one does not have, by their exact text.
    bool removed = false;
    std::vector<std::string> old_texts;
    if (const auto* list = config->list(name))
      for (std::size_t i = 0; i < list->entries.size(); ++i)
        if (all_ours || written_by_site(list->entries[i].text, w.prefix)) old_texts.push_back(list->entries[i].text);
    std::set<std::string> done;
    for (const auto& e : old_texts) {
      if (wanted.count(e) || done.count(e)) continue;
      done.insert(e);
      if (!removed) lists << commented(msg::asa_previous_entries.in(lang), "! ");
      removed = true;
      auto copies = std::count(old_texts.begin(), old_texts.end(), e);
      for (long k = 0; k < copies; ++k) lists << "no access-list " << name << " " << e << "\n";
    }
    if (pairs.empty() && denies.empty() && !removed) lists << commented(msg::asa_nothing_enters.in(lang), "! ");
  }

  // Group definitions, then the lists' commands; applied to the configuration here as a self-check
  // (the command model refuses a duplicate entry, a missing one, a group still in use), and the
  // groups of earlier plans that nothing uses afterwards are removed.
  // Only the groups an entry written here names (an interface refused above uses none).
  auto list_text = lists.str();
  std::ostringstream groups;
  for (const auto& gname : w.group_order) {
    if (list_text.find(gname + " ") == std::string::npos && list_text.find(gname + "\n") == std::string::npos) continue;
    const auto& g = w.groups.at(gname);
    groups << g.header << "\n";
    if (!g.owners.empty()) groups << " description " << detail::cut_utf8(join(g.owners, ","), 200) << "\n";
    groups << g.definition;
  }
  auto commands = groups.str() + list_text;
  auto after = *config;
  auto applied = audit::asa::apply_commands(after, "asa output", commands);
  if (!applied) return Error{in.env.file, 0, 0, "asa", msg::emit_asa_self_check(applied.error().to_string())};
  std::ostringstream unused;
  for (const auto& o : after.objects) {
    if (!written_by_site(o.name, w.prefix) || !config->object(o.name)) continue;  // only what was there before
    bool used = false;
    for (const auto& l : after.lists)
      for (const auto& e : l.entries) used = used || e.text.find(o.name) != std::string::npos;
    if (!used) unused << "no " << o.kind << " " << o.name << "\n";
  }

  out << commented(msg::asa_into_running.in(lang, in.options.running_config_file), "! ");
  out << "!\n" << commented(msg::asa_object_groups_unchanged.in(lang), "! ") << groups.str() << list_text;
  if (!unused.str().empty()) out << "!\n" << commented(msg::asa_unused_earlier.in(lang), "! ") << unused.str();
  return out.str();
}

}  // namespace

Result<std::string> emit_asa(const Input& in) {
  auto only = detail::selected_host(in);
  if (!only) return only.error();
  bool by_interface = std::any_of(in.env.zones.begin(), in.env.zones.end(),
                                  [](const plan::Zone& z) { return !z.asa_interface.empty(); });
  bool shared = !in.options.running_config_file.empty();
  if (!by_interface && !shared) detail::refuse(in, msg::emit_asa_one_list.in(in.options.lang));
  Writer w{in, *only, "wp-" + name_part(in.env.site, 16), {}, {}, {}, {}};
  if (shared) w.remark_prefix = w.prefix + ": ";
  for (const auto& f : in.plan.flows) w.flow(f, by_interface);
  const auto lang = in.options.lang;
  std::ostringstream out;
  out << commented(msg::asa_header_title.in(lang, *only ? msg::asa_title_host.in(lang, in.env.site, (*only)->name)
                                                        : msg::script_title.in(lang, in.env.site)),
                   "! ");
  out << commented(msg::asa_header_ports.in(lang, detail::ports_from(in, lang)), "! ");
  if (shared) return into_running_config(in, w, out);
  auto previous = previous_lists(in);
  for (const auto& [iface, name] : previous)
    if (!w.aces.count(iface))
      return Error{in.env.file, 0, 0, "--replace-acl",
                   iface.empty() ? msg::asa_list_without_interface() : msg::asa_no_flow_enters(iface)};

  out << commented(msg::asa_header_order.in(lang), "! ");
  out << "!\n" << commented(msg::asa_object_groups.in(lang), "! ");
  for (const auto& name : w.group_order) {
    const auto& g = w.groups.at(name);
    out << g.header << "\n";
    if (!g.owners.empty()) {
      std::string owners;
      for (const auto& o : g.owners) owners += (owners.empty() ? "" : ",") + o;
      out << " description " << detail::cut_utf8(owners, 200) << "\n";
    }
    out << g.definition;
  }
  for (const auto& [iface, pairs] : w.aces) {
    std::vector<std::string> lines;
    for (const auto& [remark, rule] : pairs) {
      lines.push_back(remark);
      lines.push_back(rule);
    }
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    auto acl = w.prefix + (iface.empty() ? "" : "-" + name_part(iface, 16)) + "-" + detail::content_hash(all);
    auto old = previous.find(iface);
    std::string where = iface.empty() ? "<interface>" : iface;
    out << "!\n"
        << commented(iface.empty() ? msg::asa_list_for_site.in(lang) : msg::asa_list_for_interface.in(lang, iface),
                     "! ");
    if (old != previous.end() && old->second == acl) {
      out << commented(msg::asa_list_unchanged.in(lang, acl), "! ");
      continue;
    }
    for (const auto& l : lines) out << "access-list " << acl << " " << l << "\n";
    if (iface.empty()) {
      out << commented(msg::asa_bind_it.in(lang), "! ") << "! access-group " << acl << " in interface <interface>\n";
      if (old != previous.end())
        out << commented(msg::asa_then_remove_named.in(lang), "! ") << "! clear configure access-list " << old->second
            << "\n";
      else
        out << commented(msg::asa_then_remove.in(lang), "! ");
      continue;
    }
    // Binding replaces whatever list the interface has, with every entry of it that is not the
    // site's: never without the user naming what it replaces (or giving the running-config, where the
    // entries go into the list in use instead).
    if (old == previous.end()) {
      detail::refuse(in, msg::emit_asa_not_bound.in(in.options.lang, iface));
      out << commented(msg::asa_not_bound.in(lang, msg::emit_asa_not_bound.in(lang, iface)), "! ") << "! access-group "
          << acl << " in interface " << iface << "\n";
      continue;
    }
    if (old->second == "none") out << commented(msg::asa_warning_no_list_now.in(lang, iface, acl), "! ");
    out << "access-group " << acl << " in interface " << iface << "\n";
    if (old->second != "none") out << "clear configure access-list " << old->second << "\n";
  }
  out << "!\n" << commented(msg::asa_unused_groups.in(lang), "! ");
  return out.str();
}

}  // namespace winports::emit
