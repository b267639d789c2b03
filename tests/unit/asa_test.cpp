// The Cisco ASA: the configuration model (a running-config read, printed and changed by
// configuration-mode commands as the ASA changes it), the reader (first match per list, the global
// list, the implicit deny, security levels, object-groups of every kind, named ports), and the ASA
// output placed into a running-config that has other people's entries: the site's flows permitted, its
// unplanned traffic denied, every foreign entry still deciding its packets, and a second plan applied
// on top with no moment where a flow both plans share is not permitted.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_util.hpp"
#include "winports/audit/asa_config.hpp"
#include "winports/audit/audit.hpp"
#include "winports/audit/evaluate.hpp"
#include "winports/catalog/embedded.hpp"
#include "winports/emit/emitter.hpp"

using namespace winports;
using namespace winports::audit;

namespace {

using test::slurp;

// A firewall with three interfaces and lists that are not the site's: web through a proxy, a foreign
// network, and a final permit of everything.
const char* kRunningConfig = R"(: Saved
:
ASA Version 9.16(4)
!
hostname edge
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 198.18.100.1 255.255.255.0
!
interface GigabitEthernet0/1
 nameif inside
 security-level 100
 ip address 198.18.70.1 255.255.255.0
!
interface GigabitEthernet0/2
 nameif dmz
 security-level 50
 ip address 198.18.60.1 255.255.255.0
!
object network proxy
 host 198.18.70.5
access-list INSIDE_IN remark management and internet access
access-list INSIDE_IN extended permit tcp object proxy any eq www
access-list INSIDE_IN extended permit tcp object proxy any eq https
access-list INSIDE_IN extended permit ip 198.18.200.0 255.255.255.0 any
access-list INSIDE_IN extended permit ip any any
access-list DMZ_IN extended permit udp any any eq domain
access-group INSIDE_IN in interface inside
access-group DMZ_IN in interface dmz
)";

Cube packet(const char* from, const char* to, int protocol, int port = -1, CtState state = CtState::new_) {
  Cube c;
  c.source = AddressSet::of(*parse_network(from));
  c.destination = AddressSet::of(*parse_network(to));
  c.protocols = ProtocolSet().set(static_cast<std::size_t>(protocol));
  if (port >= 0)
    c.destination_ports = PortSet{PortRange{static_cast<std::uint16_t>(port), static_cast<std::uint16_t>(port)}};
  c.states = static_cast<std::uint8_t>(state);
  return c;
}

enum class Fate { accepted, dropped, undecided };

Fate fate(const Ruleset& r, const Cube& c) {
  auto o = evaluate(r, {c});
  if (!o.undecided.empty()) return Fate::undecided;
  if (!o.dropped.empty()) return o.accepted.empty() ? Fate::dropped : Fate::undecided;
  return Fate::accepted;
}

AsaInterfaces interfaces(std::initializer_list<std::pair<const char*, const char*>> items) {
  AsaInterfaces out;
  for (auto [name, network] : items)
    out.networks[name] = out.networks[name].unite(AddressSet::of(*parse_network(network)));
  return out;
}

std::vector<std::string> entries_of(const asa::Config& c, const std::string& list) {
  std::vector<std::string> out;
  if (const auto* l = c.list(list))
    for (const auto& e : l->entries) out.push_back(e.text);
  return out;
}

// ---- the configuration model ---------------------------------------------------------------

TEST(AsaConfig, ReadsInterfacesListsAndBindings) {
  auto c = asa::parse_config("rc", kRunningConfig);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  ASSERT_EQ(c->interfaces.size(), 3u);
  EXPECT_EQ(c->interface("inside")->security_level, 100);
  EXPECT_EQ(c->interface("dmz")->security_level, 50);
  EXPECT_EQ(entries_of(*c, "INSIDE_IN").size(), 5u);
  EXPECT_EQ(c->binding("inside", "in")->list, "INSIDE_IN");
  EXPECT_EQ(c->binding("outside", "in"), nullptr);
  EXPECT_EQ(c->object("proxy")->members.front().text, "host 198.18.70.5");
  // Printed and read again, the configuration is the same.
  auto again = asa::parse_config("rc2", asa::running_config(*c));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(asa::running_config(*again), asa::running_config(*c));
}

TEST(AsaConfig, CommandsChangeItAsTheAsaDoesAndRefuseWhatTheAsaRefuses) {
  auto c = asa::parse_config("rc", kRunningConfig);
  ASSERT_TRUE(c.ok());
  auto ok = asa::apply_commands(*c, "cmds",
                                "object-group network admins\n network-object 198.18.70.0 255.255.255.0\n"
                                "access-list INSIDE_IN line 2 extended permit tcp object-group admins any eq 22\n"
                                "access-list INSIDE_IN extended deny ip any any\n");
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  auto e = entries_of(*c, "INSIDE_IN");
  ASSERT_EQ(e.size(), 7u);
  EXPECT_EQ(e[1], "extended permit tcp object-group admins any eq 22");  // line 2
  EXPECT_EQ(e[2], "extended permit tcp object proxy any eq www");        // moved down
  EXPECT_EQ(e.back(), "extended deny ip any any");                       // no line: appended

  struct Refused {
    const char* command;
    int line;
    const char* says;
  };
  for (const auto& r : std::vector<Refused>{
           {"access-list INSIDE_IN extended permit ip any any\n", 1, "ignores a duplicate"},
           {"!\nno access-list INSIDE_IN extended permit ip any   host 198.18.1.1\n", 2, "has no entry"},
           {"access-list INSIDE_IN line 9 remark x\n", 1, "past the end"},
           {"no object-group network admins\n", 1, "in use by access list 'INSIDE_IN'"},
           {"no object network proxy\n", 1, "in use"},
           {"access-group NOPE in interface inside\n", 1, "does not exist"},
           {" network-object host 198.18.1.1\n", 1, "outside any object"},
           {"router ospf 1\n", 1, "does not take"},
       }) {
    auto copy = *c;
    auto st = asa::apply_commands(copy, "cmds", r.command);
    ASSERT_FALSE(st.ok()) << r.command;
    EXPECT_EQ(st.error().line, r.line) << r.command;
    EXPECT_NE(st.error().message.find(r.says), std::string::npos) << st.error().message;
  }
  // `no access-list` by the entry's words (spacing aside), a binding replaced in one step, a list
  // cleared with its binding.
  ASSERT_TRUE(asa::apply_commands(*c, "cmds",
                                  "no access-list INSIDE_IN extended  permit ip any any\n"
                                  "access-list OTHER extended permit ip any any\n"
                                  "access-group OTHER in interface dmz\n"
                                  "clear configure access-list INSIDE_IN\n")
                  .ok());
  EXPECT_EQ(c->binding("dmz", "in")->list, "OTHER");
  EXPECT_EQ(c->list("INSIDE_IN"), nullptr);
  EXPECT_EQ(c->binding("inside", "in"), nullptr);
}

// ---- the reader ----------------------------------------------------------------------------

TEST(AsaReader, FirstMatchThenGlobalThenImplicitDenyAndSecurityLevelsWithoutAList) {
  auto c = asa::parse_config("rc", kRunningConfig);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(asa::apply_commands(*c, "cmds",
                                  "access-list INSIDE_IN line 1 extended deny tcp any host 198.18.60.10 eq 445\n"
                                  "access-list GLOBAL extended permit tcp any any eq 3389\n"
                                  "access-group GLOBAL global\n")
                  .ok());
  auto r = read_asa_config(
      *c, interfaces({{"inside", "198.18.70.0/24"}, {"dmz", "198.18.60.0/24"}, {"outside", "198.18.100.0/24"}}));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  // inside: the deny first, then the rest of its list (permit ip any any).
  EXPECT_EQ(fate(*r, packet("198.18.70.7", "198.18.60.10", 6, 445)), Fate::dropped);
  EXPECT_EQ(fate(*r, packet("198.18.70.7", "198.18.60.10", 6, 443)), Fate::accepted);
  // dmz: its list permits DNS; then the global list (RDP); then the implicit deny.
  EXPECT_EQ(fate(*r, packet("198.18.60.10", "198.18.70.7", 17, 53)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.60.10", "198.18.70.7", 6, 3389)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.60.10", "198.18.70.7", 6, 445)), Fate::dropped);
  // outside has no list, but the global one applies to every interface; then the implicit deny.
  EXPECT_EQ(fate(*r, packet("198.18.100.9", "198.18.60.10", 6, 3389)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.100.9", "198.18.60.10", 6, 80)), Fate::dropped);
  // Replies of a permitted connection pass: the ASA is stateful.
  EXPECT_EQ(fate(*r, packet("198.18.60.10", "198.18.70.7", 6, 445, CtState::established)), Fate::accepted);

  // Without the global list, an interface with no list follows the security levels: higher to lower
  // permitted, lower to higher denied.
  ASSERT_TRUE(asa::apply_commands(*c, "cmds", "clear configure access-list GLOBAL\n").ok());
  auto levels = read_asa_config(
      *c, interfaces({{"inside", "198.18.70.0/24"}, {"dmz", "198.18.60.0/24"}, {"outside", "198.18.100.0/24"}}));
  ASSERT_TRUE(levels.ok());
  EXPECT_EQ(fate(*levels, packet("198.18.100.9", "198.18.60.10", 6, 80)), Fate::dropped);  // 0 → 50
  bool said = std::any_of(levels->notes.begin(), levels->notes.end(),
                          [](const auto& n) { return n.second.en.find("interface outside has no access list") == 0; });
  EXPECT_TRUE(said);
  // A zone whose interface is not named: its traffic is undecided, never guessed.
  EXPECT_EQ(fate(*levels, packet("198.18.99.1", "198.18.60.10", 6, 80)), Fate::undecided);
}

TEST(AsaReader, ObjectGroupsOfEveryKindNamedPortsAndEntriesItCannotDecide) {
  auto text = std::string(R"(interface G0
 nameif inside
 security-level 100
object network web1
 host 198.18.60.10
object network servers
 subnet 198.18.60.0 255.255.255.0
object service rdp
 service tcp destination eq 3389
object-group network both
 network-object object web1
 network-object 198.18.61.0 255.255.255.0
 network-object 2001:db8:60::/64
object-group service dns-kerberos
 service-object tcp-udp destination eq domain
 service-object udp destination eq 88
 service-object object rdp
object-group service ad-tcp tcp
 port-object eq ldap
 port-object range 49152 65535
object-group service nested
 group-object ad-tcp
object-group protocol tunnels
 protocol-object gre
 protocol-object esp
object-group icmp-type pings
 icmp-object echo
object-group network loop-a
 group-object loop-b
object-group network loop-b
 group-object loop-a
access-list IN remark every shape
access-list IN extended permit object-group dns-kerberos any object-group both
access-list IN extended permit tcp any object servers object-group nested
access-list IN extended permit object-group tunnels any any
access-list IN extended permit icmp any any object-group pings
access-list IN extended permit tcp any host 198.18.60.20 range 8080 8081
access-list IN extended permit tcp any host 198.18.60.21 gt 65000
access-list IN extended permit tcp any host 198.18.60.22 eq 22 inactive
access-list IN extended permit tcp any host 198.18.60.23 eq 22 time-range office
access-list IN extended permit tcp 198.18.70.0 255.255.255.0 eq 20 host 198.18.60.24 eq 21
access-group IN in interface inside
)");
  auto r = read_asa("rc", text, interfaces({{"inside", "198.18.70.0/24"}}));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto from = "198.18.70.7";
  EXPECT_EQ(fate(*r, packet(from, "198.18.60.10", 17, 53)), Fate::accepted);  // tcp-udp domain
  EXPECT_EQ(fate(*r, packet(from, "198.18.61.3", 6, 53)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet(from, "2001:db8:60::5", 17, 88)), Fate::accepted);  // IPv6 member
  EXPECT_EQ(fate(*r, packet(from, "198.18.61.3", 6, 88)), Fate::dropped);       // udp only
  EXPECT_EQ(fate(*r, packet(from, "198.18.61.3", 6, 3389)), Fate::accepted);    // object service
  EXPECT_EQ(fate(*r, packet(from, "198.18.60.99", 6, 389)), Fate::accepted);    // ldap, nested group
  EXPECT_EQ(fate(*r, packet(from, "198.18.60.99", 6, 50000)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet(from, "198.18.60.99", 6, 636)), Fate::dropped);
  EXPECT_EQ(fate(*r, packet(from, "198.18.9.9", 47)), Fate::accepted);  // gre
  EXPECT_EQ(fate(*r, packet(from, "198.18.9.9", 17, 500)), Fate::dropped);
  auto echo = packet(from, "198.18.9.9", 1);
  echo.icmp_types = TypeSet().set(8);
  EXPECT_EQ(fate(*r, echo), Fate::accepted);
  auto unreachable = packet(from, "198.18.9.9", 1);
  unreachable.icmp_types = TypeSet().set(3);
  EXPECT_EQ(fate(*r, unreachable), Fate::dropped);
  EXPECT_EQ(fate(*r, packet(from, "198.18.60.20", 6, 8081)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet(from, "198.18.60.21", 6, 65001)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet(from, "198.18.60.21", 6, 1000)), Fate::dropped);
  EXPECT_EQ(fate(*r, packet(from, "198.18.60.22", 6, 22)), Fate::dropped);    // inactive: no match
  EXPECT_EQ(fate(*r, packet(from, "198.18.60.23", 6, 22)), Fate::undecided);  // a time range
  auto ftp = packet(from, "198.18.60.24", 6, 21);
  ftp.source_ports = PortSet{PortRange{20, 20}};
  EXPECT_EQ(fate(*r, ftp), Fate::accepted);
  ftp.source_ports = PortSet{PortRange{40000, 40000}};
  EXPECT_EQ(fate(*r, ftp), Fate::dropped);
  // Detected by content.
  auto detected = read_ruleset("rc", text, Path::forward);
  ASSERT_TRUE(detected.ok()) << detected.error().to_string();
  EXPECT_TRUE(detected->chains.count("access-list IN"));
  // A host firewall it is not.
  EXPECT_FALSE(read_ruleset("rc", text, Path::input).ok());
}

TEST(AsaReader, BadInputNamesFileLineAndField) {
  struct Case {
    std::string text;
    int line;
    std::string says;
  };
  for (const auto& c : std::vector<Case>{
           {"access-list A extended permit tcp any host 198.18.1.300 eq 80\naccess-group A global\n", 1,
            "198.18.1.300"},
           {"access-list A extended permit tcp 198.18.1.0 255.0.255.0 any\naccess-group A global\n", 1, "contiguous"},
           {"access-list A extended permit tcp any any eq nosuchport\naccess-group A global\n", 1, "nosuchport"},
           {"access-list A extended allow ip any any\naccess-group A global\n", 1, "permit or deny"},
           {"access-list A extended permit ip object-group nope any\naccess-group A global\n", 1, "nope"},
           {"object-group network a\n group-object b\nobject-group network b\n group-object a\n"
            "access-list A extended permit ip object-group a any\naccess-group A global\n",
            0, "loop"},
           {"interface G0\n security-level 300\n", 2, "security level"},
       }) {
    auto r = read_asa("fw.cfg", c.text, {});
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().file, "fw.cfg");
    if (c.line) {
      EXPECT_EQ(r.error().line, c.line) << r.error().to_string();
    }
    EXPECT_NE(r.error().to_string().find(c.says), std::string::npos) << r.error().to_string();
  }
}

// ---- the ASA output into a shared list -----------------------------------------------------

struct Site {
  plan::Environment env;
  plan::Plan plan;
};

Site load_site(const std::string& name, const std::string& text) {
  const auto& c = catalog::builtin_catalog();
  auto env = plan::load_environment({name, text}, c);
  EXPECT_TRUE(env.ok()) << name << ": " << (env.ok() ? "" : env.error().to_string());
  auto p = plan::make_plan(*env, c);
  return {std::move(*env), std::move(p)};
}

Result<std::string> asa_into(const Site& site, const asa::Config& config, std::vector<std::string> replace = {}) {
  emit::Options o{Lang::en, "", false, std::move(replace)};
  o.running_config = asa::running_config(config);
  o.running_config_file = "running-config";
  return emit::emit_asa({site.plan, site.env, catalog::builtin_catalog(), o});
}

Audit audit_of(const Site& site, const asa::Config& config) {
  auto r = read_asa_config(config, asa_interfaces(site.env));
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  auto a = audit::audit(site.env, catalog::builtin_catalog(), site.plan, *r, "");
  EXPECT_TRUE(a.ok());
  return a.ok() ? *a : Audit{};
}

// A running-config for a site whose zones name no interface: one inside list of other people's entries.
const char* kOneInterface = R"(interface GigabitEthernet0/1
 nameif inside
 security-level 100
object network proxy
 host 198.18.10.5
access-list INSIDE_IN remark not the site's
access-list INSIDE_IN extended permit tcp object proxy any eq https
access-list INSIDE_IN extended permit ip 198.19.200.0 255.255.255.0 any
access-list INSIDE_IN extended permit ip any any
access-group INSIDE_IN in interface inside
)";

TEST(AsaOutput, EveryExampleGoesIntoTheListInUseKeepsForeignEntriesAndAuditsClean) {
  for (const char* name : {"branch-office.yaml", "dmz.yaml", "mixed-domain.yaml", "modern-company.yaml"}) {
    SCOPED_TRACE(name);
    auto path = std::string(WINPORTS_EXAMPLES) + "/" + name;
    auto site = load_site(path, slurp(path));
    bool by_interface = std::string(name) == "dmz.yaml";
    auto config = asa::parse_config("rc", by_interface ? kRunningConfig : kOneInterface);
    ASSERT_TRUE(config.ok());
    std::string list = "INSIDE_IN";
    auto foreign = entries_of(*config, list);
    auto out =
        asa_into(site, *config, by_interface ? std::vector<std::string>{"outside=none"} : std::vector<std::string>{});
    ASSERT_TRUE(out.ok()) << out.error().to_string();
    auto applied = *config;
    auto st = asa::apply_commands(applied, "asa output", *out);
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    auto a = audit_of(site, applied);
    EXPECT_TRUE(a.clean()) << audit_text(a);
    EXPECT_GT(a.flows, 0u);
    // Every foreign entry is still there, in its order, after the site's.
    auto now = entries_of(applied, list);
    std::vector<std::string> kept;
    for (const auto& e : now)
      if (std::find(foreign.begin(), foreign.end(), e) != foreign.end()) kept.push_back(e);
    EXPECT_EQ(kept, foreign);
    EXPECT_EQ(now.back(), foreign.back());
    // Applying the same plan again changes nothing and writes no entry.
    auto again =
        asa_into(site, applied, by_interface ? std::vector<std::string>{"outside=none"} : std::vector<std::string>{});
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_EQ(again->find("\naccess-list "), std::string::npos) << *again;
    EXPECT_EQ(again->find("\nno "), std::string::npos) << *again;

    // A deleted port is found exactly; so is a permit of everything put first.
    auto broken = applied;
    const asa::Object* group = nullptr;
    for (const auto& o : broken.objects)
      for (const auto& m : o.members)
        if (!group && m.text == "port-object eq 445") group = &o;
    if (group) {
      auto g = *group;
      ASSERT_TRUE(asa::apply_commands(broken, "edit", "no " + g.kind + " " + g.name + "\n").ok() == false);
      // (in use) — edit its member instead, as an operator would
      for (auto& o : broken.objects)
        if (o.name == g.name)
          std::erase_if(o.members, [](const asa::Line& m) { return m.text == "port-object eq 445"; });
      auto b = audit_of(site, broken);
      ASSERT_FALSE(b.blocked.empty()) << audit_text(b);
      for (const auto& f : b.blocked) EXPECT_EQ(f.ports.to_string(), "445") << audit_text(b);
      EXPECT_TRUE(b.extra.empty()) << audit_text(b);
    }
    auto open = applied;
    ASSERT_TRUE(
        asa::apply_commands(open, "edit", "access-list " + list + " line 1 extended permit ip any any log\n").ok());
    auto o = audit_of(site, open);
    EXPECT_TRUE(o.blocked.empty()) << audit_text(o);
    EXPECT_FALSE(o.extra.empty());
  }
}

TEST(AsaOutput, ForeignTrafficFallsThroughAndTheSiteUnplannedTrafficIsDenied) {
  auto path = std::string(WINPORTS_EXAMPLES) + "/dmz.yaml";
  auto site = load_site(path, slurp(path));
  auto config = asa::parse_config("rc", kRunningConfig);
  ASSERT_TRUE(config.ok());
  auto out = asa_into(site, *config, {"outside=none"});
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_NE(out->find("WARNING: outside had no access list"), std::string::npos);
  EXPECT_EQ(out->find("\naccess-group INSIDE_IN"), std::string::npos);  // the list in use is not rebound
  auto applied = *config;
  ASSERT_TRUE(asa::apply_commands(applied, "asa output", *out).ok());
  auto r = read_asa_config(applied, asa_interfaces(site.env));
  ASSERT_TRUE(r.ok());
  // Other people's traffic: as before (the proxy's web, the foreign network, the final permit).
  EXPECT_EQ(fate(*r, packet("198.18.70.5", "198.19.250.1", 6, 80)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.70.99", "198.19.250.1", 6, 25)), Fate::accepted);
  // The site's own traffic the plan does not name: denied (the final permit no longer reaches it).
  EXPECT_EQ(fate(*r, packet("198.18.70.20", "198.18.80.5", 6, 9999)), Fate::dropped);
  EXPECT_EQ(fate(*r, packet("198.18.70.20", "198.18.60.5", 17, 9999)), Fate::dropped);
}

// Every flow both plans have (and the ports they share) is permitted after every single command.
TEST(AsaOutput, ASecondPlanOnTopLeavesNoGapAndNoStaleEntry) {
  auto path = std::string(WINPORTS_EXAMPLES) + "/dmz.yaml";
  auto text = slurp(path);
  auto first = load_site(path, text);
  auto config = asa::parse_config("rc", kRunningConfig);
  ASSERT_TRUE(config.ok());
  auto out1 = asa_into(first, *config, {"outside=none"});
  ASSERT_TRUE(out1.ok());
  auto applied = *config;
  ASSERT_TRUE(asa::apply_commands(applied, "first", *out1).ok());

  // The second plan: a host moves to another address, so every flow that names it changes groups
  // and entries (and the groups of the first plan that named it go).
  std::string edited = text;
  auto at = edited.find("198.18.60.20");
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, 12, "198.18.60.25");
  auto second = load_site(path, edited);
  ASSERT_NE(second.plan.flows.size(), 0u);
  auto out2 = asa_into(second, applied, {"outside=none"});
  ASSERT_TRUE(out2.ok()) << out2.error().to_string();
  ASSERT_NE(out2->find("\nno access-list "), std::string::npos) << *out2;

  // The flows (and ports) both plans share, as packets.
  std::vector<Cube> shared;
  for (const auto& f : second.plan.flows)
    for (const auto& g : first.plan.flows) {
      if (f.source.name != g.source.name || f.destination.name != g.destination.name || f.transport != g.transport)
        continue;
      Cube c;
      AddressSet src, dst;
      for (const auto& n : f.source.networks) src = src.unite(AddressSet::of(n));
      for (const auto& n : f.destination.networks) dst = dst.unite(AddressSet::of(n));
      AddressSet src_old, dst_old;
      for (const auto& n : g.source.networks) src_old = src_old.unite(AddressSet::of(n));
      for (const auto& n : g.destination.networks) dst_old = dst_old.unite(AddressSet::of(n));
      c.source = src.intersect(src_old);
      c.destination = dst.intersect(dst_old);
      if (f.transport == Transport::tcp || f.transport == Transport::udp) {
        c.protocols = ProtocolSet().set(f.transport == Transport::tcp ? 6 : 17);
        c.destination_ports = f.ports.intersect(g.ports);
        if (f.source_port) c.source_ports = PortSet{PortRange{*f.source_port, *f.source_port}};
        if (c.destination_ports.empty()) continue;
      } else {
        continue;
      }
      c.states = static_cast<std::uint8_t>(CtState::new_);
      for (int family : {4, 6}) {  // a packet has one family at both ends
        auto one = c;
        one.source = c.source.only(family);
        one.destination = c.destination.only(family);
        if (!one.empty()) shared.push_back(one);
      }
    }
  ASSERT_FALSE(shared.empty());

  // Apply the second output one command at a time (a group with its members is one command).
  std::vector<std::string> commands;
  std::istringstream lines(*out2);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '!') continue;
    if (line[0] == ' ' && !commands.empty())
      commands.back() += line + "\n";
    else
      commands.push_back(line + "\n");
  }
  auto step = applied;
  for (const auto& command : commands) {
    auto st = asa::apply_commands(step, "second", command);
    ASSERT_TRUE(st.ok()) << command << st.error().to_string();
    auto r = read_asa_config(step, asa_interfaces(second.env));
    ASSERT_TRUE(r.ok());
    auto outcome = evaluate(*r, shared);
    EXPECT_TRUE(outcome.dropped.empty() && outcome.undecided.empty()) << "a gap after: " << command;
  }
  auto a = audit_of(second, step);
  EXPECT_TRUE(a.clean()) << audit_text(a);
  // No stale entry of the first plan: the site's entries are exactly the second plan's.
  auto fresh = *config;
  ASSERT_TRUE(asa::apply_commands(fresh, "second alone", *asa_into(second, *config, {"outside=none"})).ok());
  for (const char* list : {"INSIDE_IN", "DMZ_IN", "wp-dmz-web-mail-outside"}) {
    auto got = entries_of(step, list), want = entries_of(fresh, list);
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << list;
  }
  for (const auto& o : step.objects) EXPECT_TRUE(fresh.object(o.name)) << "stale group " << o.name;
}

}  // namespace
