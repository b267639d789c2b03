// The audit: the set algebra it stands on (checked against brute force over small universes), each
// ruleset reader, the evaluator's semantics (jumps, gotos, returns, policies, stages, families), and
// the audit itself — winports' own outputs audit clean against their plan for every example, and a
// deleted port, an added one, a dropped conntrack rule, a shadowed rule and an unreadable match are
// each named exactly.
#include "winports/audit/audit.hpp"

#include <gtest/gtest.h>

#include <bitset>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "sites.hpp"
#include "test_util.hpp"
#include "winports/catalog/embedded.hpp"
#include "winports/emit/emitter.hpp"

using namespace winports;
using namespace winports::audit;

namespace {

using test::slurp;

Network net(const char* text) {
  auto n = parse_network(text);
  EXPECT_TRUE(n) << text;
  return n ? *n : Network{};
}

// --- set algebra against brute force -------------------------------------------------------

constexpr int kUniverse = 160;  // IPv4 addresses 0.0.0.0 - 0.0.0.159
using Bits = std::bitset<kUniverse>;

IntervalSet random_set(std::mt19937& rng, Bits& bits) {
  IntervalSet s;
  std::uniform_int_distribution<int> count(0, 5), at(0, kUniverse - 1), len(0, 4), many(17, 40);
  for (int i = (rng() % 3 == 0) ? many(rng) : count(rng); i > 0; --i) {
    int lo = at(rng), hi = std::min(kUniverse - 1, lo + len(rng));
    s.add(static_cast<Address128>(lo), static_cast<Address128>(hi));
    for (int v = lo; v <= hi; ++v) bits.set(static_cast<std::size_t>(v));
  }
  return s;
}

Bits bits_of(const IntervalSet& s) {
  Bits b;
  for (const auto& i : s.intervals())
    for (auto v = i.lo; v <= i.hi && v < kUniverse; ++v) b.set(static_cast<std::size_t>(v));
  return b;
}

// Sorted, disjoint and non-adjacent: the one representation of a set.
void expect_canonical(const IntervalSet& s) {
  for (std::size_t i = 0; i < s.intervals().size(); ++i) {
    EXPECT_LE(s.intervals()[i].lo, s.intervals()[i].hi);
    if (i) {
      EXPECT_GT(s.intervals()[i].lo, s.intervals()[i - 1].hi + 1);
    }
  }
}

TEST(AuditAlgebra, IntervalSetsAgreeWithBruteForce) {
  std::mt19937 rng(832017);
  for (int round = 0; round < 2000; ++round) {
    Bits a_bits, b_bits;
    auto a = random_set(rng, a_bits), b = random_set(rng, b_bits);
    expect_canonical(a);
    EXPECT_EQ(bits_of(a), a_bits);
    auto u = a.unite(b), i = a.intersect(b), d = a.subtract(b);
    expect_canonical(u);
    expect_canonical(i);
    expect_canonical(d);
    EXPECT_EQ(bits_of(u), a_bits | b_bits);
    EXPECT_EQ(bits_of(i), a_bits & b_bits);
    EXPECT_EQ(bits_of(d), a_bits & ~b_bits);
    EXPECT_EQ(a.overlaps(b), (a_bits & b_bits).any());
    EXPECT_EQ(a.includes(b), (b_bits & ~a_bits).none());
    for (int v = 0; v < kUniverse; v += 7) EXPECT_EQ(a.contains(static_cast<Address128>(v)), a_bits.test(v));
    // Prefixes cover exactly the set.
    AddressSet as = AddressSet::from(4, a), back;
    for (const auto& n : as.prefixes()) back.add(n);
    EXPECT_EQ(back, as);
  }
}

TEST(AuditAlgebra, FullSpacesAndTheirEdges) {
  auto all = AddressSet::all();
  EXPECT_EQ(all.to_string(), "any");
  EXPECT_EQ(all.subtract(AddressSet::all_of(4)), AddressSet::all_of(6));
  auto one = AddressSet::of(net("255.255.255.255"));
  EXPECT_EQ(AddressSet::all_of(4).subtract(one).unite(one), AddressSet::all_of(4));
  auto top6 = AddressSet::of(net("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  EXPECT_TRUE(AddressSet::all_of(6).subtract(top6).overlaps(AddressSet::of(net("2001:db8::/32"))));
  EXPECT_EQ(AddressSet::all_of(6).subtract(top6).unite(top6), AddressSet::all_of(6));
}

// A small universe of packets: enough values per field that every way two cubes can meet occurs.
struct Point {
  int src, dst, proto, dport, sport, icmp, state;
};
const int kProtos[] = {1, 6, 17};
const std::uint8_t kStates[] = {1, 2};

bool inside(const Cube& c, const Point& p) {
  auto a = [](int v) { return AddressSet::of(net(("0.0.0." + std::to_string(v)).c_str())); };
  return c.source.includes(a(p.src)) && c.destination.includes(a(p.dst)) &&
         c.protocols.test(static_cast<std::size_t>(p.proto)) &&
         c.destination_ports.contains(static_cast<std::uint16_t>(p.dport)) &&
         c.source_ports.contains(static_cast<std::uint16_t>(p.sport)) &&
         c.icmp_types.test(static_cast<std::size_t>(p.icmp)) && (c.states & p.state) != 0;
}

Cube random_cube(std::mt19937& rng) {
  std::uniform_int_distribution<int> coin(0, 2), small(0, 5);
  Cube c;
  auto range = [&](int lo_max) {
    int lo = small(rng) % lo_max, hi = std::min(lo_max - 1, lo + small(rng) % 3);
    return std::pair{lo, hi};
  };
  if (coin(rng)) {
    auto [lo, hi] = range(6);
    c.source = AddressSet::from(4, IntervalSet::of(static_cast<Address128>(lo), static_cast<Address128>(hi)));
  }
  if (coin(rng)) {
    auto [lo, hi] = range(6);
    c.destination = AddressSet::from(4, IntervalSet::of(static_cast<Address128>(lo), static_cast<Address128>(hi)));
  }
  if (coin(rng)) {
    c.protocols.reset();
    for (int p : kProtos)
      if (coin(rng)) c.protocols.set(static_cast<std::size_t>(p));
  }
  if (coin(rng)) {
    auto [lo, hi] = range(6);
    c.destination_ports = PortSet{{static_cast<std::uint16_t>(lo), static_cast<std::uint16_t>(hi)}};
  }
  if (coin(rng) == 0) c.source_ports = PortSet{{0, 0}};
  if (coin(rng) == 0) c.icmp_types.reset(), c.icmp_types.set(8);
  if (coin(rng) == 0) c.states = 1;
  return c;
}

// The never-matches pass keeps to the rules that are themselves needed (a redundant rule adds nothing
// to a cover) and to a short list of candidates by source or destination: on random chains — copies,
// near-copies, unions — it finds exactly the rules the brute force finds (each covered by every
// earlier deciding rule together), and each one's named rules do cover it.
TEST(AuditAlgebra, NeverMatchesAgreesWithBruteForce) {
  std::mt19937 rng(4242);
  std::size_t redundant = 0;
  for (int round = 0; round < 300; ++round) {
    Ruleset rs;
    Chain chain{"c", {}};
    std::uniform_int_distribution<int> size(1, 40), pick(0, 3);
    const int n = size(rng);
    for (int i = 0; i < n; ++i) {
      Rule r;
      // Copies of earlier rules, as long chains have them, beside new ones.
      if (i > 0 && pick(rng) == 0)
        r = chain.rules[static_cast<std::size_t>(rng() % static_cast<unsigned>(i))];
      else
        r.match = random_cube(rng);
      r.verdict = pick(rng) == 0 ? Verdict::drop : Verdict::accept;
      if (pick(rng) == 0 && i % 7 == 3) r.unsupported = LocalizedText{{}, "a mark"};
      r.location = Location{"c", i + 1, ""};
      chain.rules.push_back(std::move(r));
    }
    rs.chains.emplace("c", chain);
    const auto& rules = rs.chains.at("c").rules;
    std::set<std::size_t> expected;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      std::vector<const Cube*> cover;
      for (std::size_t j = 0; j < i; ++j)
        if (rules[j].unsupported.empty() && overlaps(rules[i].match, rules[j].match)) cover.push_back(&rules[j].match);
      if (!rules[i].match.empty() && !cover.empty() && covered(rules[i].match, cover)) expected.insert(i);
    }
    std::set<std::size_t> found;
    for (const auto& s : shadowed_rules(rs)) {
      auto i = static_cast<std::size_t>(s.rule - rules.data());
      found.insert(i);
      std::vector<const Cube*> named;
      for (const auto* by : s.by) {
        EXPECT_LT(by, s.rule) << "a rule is covered by earlier ones";
        named.push_back(&by->match);
      }
      EXPECT_TRUE(covered(s.rule->match, named)) << "round " << round << " rule " << i;
    }
    EXPECT_EQ(found, expected) << "round " << round;
    redundant += expected.size();
  }
  EXPECT_GT(redundant, 500u) << "the chains must have rules that never match, or this proves nothing";
}

TEST(AuditAlgebra, CubeDifferenceIsExactAndDisjoint) {
  std::mt19937 rng(135);
  std::vector<Point> points;
  for (int src = 0; src < 6; ++src)
    for (int dst = 0; dst < 6; ++dst)
      for (int proto : kProtos)
        for (int dport = 0; dport < 6; ++dport)
          for (int sport : {0, 1})
            for (int icmp : {0, 8})
              for (int state : kStates) points.push_back({src, dst, proto, dport, sport, icmp, state});
  for (int round = 0; round < 150; ++round) {
    Cube a = random_cube(rng), b = random_cube(rng);
    auto pieces = subtract(a, b);
    for (const auto& piece : pieces) ASSERT_FALSE(piece.empty()) << "round " << round;  // no empty piece kept
    Cube both = intersect(a, b);
    EXPECT_EQ(overlaps(a, b), !both.empty());
    std::vector<const Cube*> cover{&b};
    // The universe's own cube: `a` may reach beyond the points enumerated.
    Cube universe;
    universe.source = universe.destination = AddressSet::from(4, IntervalSet::of(0, 5));
    universe.protocols.reset();
    for (int p : kProtos) universe.protocols.set(static_cast<std::size_t>(p));
    universe.destination_ports = PortSet{{0, 5}};
    universe.source_ports = PortSet{{0, 1}};
    universe.icmp_types.reset();
    universe.icmp_types.set(0), universe.icmp_types.set(8);
    universe.states = 3;
    bool all_in_b = true;
    for (const auto& p : points) {
      bool in_a = inside(a, p), in_b = inside(b, p);
      int count = 0;
      for (const auto& piece : pieces) count += inside(piece, p) ? 1 : 0;
      ASSERT_EQ(count, in_a && !in_b ? 1 : 0) << "round " << round;  // exact, and pieces are disjoint
      EXPECT_EQ(inside(both, p), in_a && in_b);
      if (in_a && !in_b) all_in_b = false;
    }
    EXPECT_EQ(covered(intersect(a, universe), cover), all_in_b);
  }
}

// --- readers and the evaluator -------------------------------------------------------------

Cube packet(const char* src, const char* dst, int proto, std::uint16_t dport, std::uint8_t state = 1) {
  Cube c;
  c.source = AddressSet::of(net(src));
  c.destination = AddressSet::of(net(dst));
  c.protocols.reset();
  c.protocols.set(static_cast<std::size_t>(proto));
  if (proto == 6 || proto == 17) c.destination_ports = PortSet{{dport, dport}};
  c.states = state;
  return c;
}

enum class Fate { accepted, dropped, undecided, mixed };
Fate fate(const Ruleset& r, const Cube& c) {
  auto o = evaluate(r, {c});
  int kinds = (o.accepted.empty() ? 0 : 1) + (o.dropped.empty() ? 0 : 1) + (o.undecided.empty() ? 0 : 1);
  if (kinds != 1) return Fate::mixed;
  return !o.accepted.empty() ? Fate::accepted : !o.dropped.empty() ? Fate::dropped : Fate::undecided;
}

const char* const kIptables = R"(# Generated by iptables-save v1.8.9
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [10:600]
:OUTPUT ACCEPT [0:0]
:ad - [0:0]
:mgmt - [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i lo -j ACCEPT
-A FORWARD ! -s 198.18.0.0/15 -j DROP
-A FORWARD -s 198.18.10.0/24 -d 198.18.20.10/32 -j ad
-A FORWARD -s 198.18.10.0/24 -m iprange --dst-range 198.18.20.30-198.18.20.33 -g mgmt
-A FORWARD -s 198.18.10.0/24 -d 198.18.20.40/32 -i eth1 -j ACCEPT
-A FORWARD -s 198.18.10.0/24 -d 198.18.20.41/32 -m set --match-set admins src -j ACCEPT
-A FORWARD -s 198.18.10.0/24 -d 198.18.20.41/32 -j LOG --log-prefix "fwd: "
-A ad -p tcp -m multiport --dports 53,88,135,49152:65535 -m comment --comment "kerberos and friends" -j ACCEPT
-A ad -p udp -m udp ! --dport 88 -j RETURN
-A ad -p udp -j ACCEPT
-A ad -p tcp -m tcp --dport 88 -j ACCEPT
-A mgmt -p tcp -m tcp --dport 3389 -j ACCEPT
-A mgmt -p icmp -m icmp --icmp-type 8 -j ACCEPT
COMMIT
)";

TEST(AuditIptables, ChainsJumpsGotosPoliciesAndNegations) {
  auto r = read_iptables_save("fw.v4", kIptables, Path::forward);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(r->covers_ipv4);
  EXPECT_FALSE(r->covers_ipv6);
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 6, 88)), Fate::accepted);     // multiport in a user chain
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 6, 50000)), Fate::accepted);  // a range 49152:65535
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 6, 445)), Fate::dropped);     // back, then the policy
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 17, 88)), Fate::accepted);  // ! --dport 88 returns the rest
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 17, 53)), Fate::dropped);
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.31", 6, 3389)), Fate::accepted);  // iprange, goto
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.34", 6, 3389)), Fate::dropped);
  auto echo = packet("198.18.10.5", "198.18.20.31", 1, 0);
  echo.icmp_types.reset();
  echo.icmp_types.set(8);
  EXPECT_EQ(fate(*r, echo), Fate::accepted);  // icmp type 8 only
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.31", 1, 0)), Fate::mixed);
  EXPECT_EQ(fate(*r, packet("203.0.113.9", "198.18.20.10", 6, 88)), Fate::dropped);       // ! -s
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 6, 445, 2)), Fate::accepted);  // a reply
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.40", 6, 80)), Fate::undecided);     // -i eth1
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.41", 6, 80)), Fate::undecided);     // -m set
  EXPECT_EQ(fate(*r, packet("2001:db8::1", "2001:db8::2", 6, 88)), Fate::undecided);      // no ip6tables dump
  auto o = evaluate(*r, {packet("198.18.10.5", "198.18.20.41", 6, 80)});
  ASSERT_EQ(o.undecided.size(), 1u);
  ASSERT_NE(o.undecided[0].rule, nullptr);
  EXPECT_EQ(o.undecided[0].rule->location.line, 14);
  EXPECT_EQ(o.undecided[0].why.en, "-m set");
  // The tcp/88 rule of chain ad: the multiport rule above it decides everything it selects.
  auto shadowed = shadowed_rules(*r);
  ASSERT_EQ(shadowed.size(), 1u);
  EXPECT_EQ(shadowed[0].rule->location.line, 19);
  ASSERT_EQ(shadowed[0].by.size(), 1u);
  EXPECT_EQ(shadowed[0].by[0]->location.line, 16);
}

// What people keep in /etc/iptables/rules.v4 rather than what iptables-save prints: each is read as
// iptables-restore reads it, and what the file cannot decide is undecided, not an error.
TEST(AuditIptables, RestoreFilesAsPeopleWriteThem) {
  const char* text = R"(*raw
-A PREROUTING -j NOTRACK
COMMIT
*filter
:FORWARD DROP [0:0]
[12:3456] -A FORWARD -p tcp -m tcp --dport 445 -j ACCEPT
-A FORWARD ! -s pxe.example.org -p tcp --dport 22 -j REJECT
-A FORWARD -p icmp --icmp-type host-unreachable -j ACCEPT
-A FORWARD -p tcp --dport 80 -j LOG --log-prefix="[FORWARD] "
-A FORWARD -p udp -m multiport --dports domain,ntp -j ACCEPT
-A FORWARD -p tcp --dport ftp-data:ftp -j ACCEPT
-A FORWARD -p igmp -j ACCEPT
COMMIT
)";
  auto r = read_iptables_save("rules.v4", text, Path::forward);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  // iptables-save -c's counters before a rule: the rule as without them.
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 6, 445)), Fate::accepted);
  // A host name resolves when the rules load: what the rule selects is undecided.
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 6, 22)), Fate::undecided);
  auto o = evaluate(*r, {packet("198.18.10.5", "198.18.20.10", 6, 22)});
  ASSERT_EQ(o.undecided.size(), 1u);
  EXPECT_EQ(o.undecided[0].why.en, "-s pxe.example.org");
  // A code's name (host-unreachable is 3/1) stands for its type, as "3/1" does.
  auto unreachable = packet("198.18.10.5", "198.18.20.10", 1, 0);
  unreachable.icmp_types.reset();
  unreachable.icmp_types.set(3);
  EXPECT_EQ(fate(*r, unreachable), Fate::accepted);
  // Service and protocol names from the system's tables, as iptables resolves them: domain/udp is
  // 53, ntp 123, ftp-data:ftp 20-21; igmp is protocol 2.
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 17, 53)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 17, 123)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 6, 21)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 6, 23)), Fate::dropped);
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 2, 0)), Fate::accepted);
  // raw's PREROUTING is used without being declared: the kernel's chain, said in a note.
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_EQ(r->notes[0].first.line, 2);
  EXPECT_NE(r->notes[0].second.en.find("built-in chain PREROUTING of table raw"), std::string::npos);
  // ICMPv6 names of ip6tables, neighbour discovery in either spelling.
  for (const char* name : {"neighbour-solicitation", "neighbor-solicitation", "mld-listener-report"}) {
    auto v6 = read_iptables_save("rules.v6",
                                 std::string("# Generated by ip6tables-save\n*filter\n:FORWARD DROP [0:0]\n"
                                             "-A FORWARD -p ipv6-icmp --icmpv6-type ") +
                                     name + " -j ACCEPT\nCOMMIT\n",
                                 Path::forward);
    EXPECT_TRUE(v6.ok()) << name << ": " << (v6.ok() ? "" : v6.error().to_string());
  }
}

TEST(AuditIptables, BadInputNamesFileLineAndField) {
  struct Case {
    const char* text;
    int line;
    const char* field;
  } cases[] = {
      {"*filter\n:FORWARD DROP [0:0]\n-A FORWARD --dport 22 -j ACCEPT\nCOMMIT\n", 3, "--dport"},
      {"*filter\n:FORWARD DROP [0:0]\n-A nosuch -j ACCEPT\nCOMMIT\n", 3, "chain"},
      {"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -s 198.18.10.300 -j ACCEPT\nCOMMIT\n", 3, "-s"},
      {"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -p tcp -m tcp --dport 70000 -j ACCEPT\nCOMMIT\n", 3, "--dport"},
      {"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -j nosuch\nCOMMIT\n", 3, "-j"},
      {"*filter\n:FORWARD DROP [0:0]\n-A FORWARD -j ACCEPT\n", 3, "COMMIT"},
      {"*filter\n:FORWARD MAYBE [0:0]\nCOMMIT\n", 2, "policy"},
      {"-A FORWARD -j ACCEPT\n", 1, "table"},
  };
  for (const auto& c : cases) {
    auto r = read_iptables_save("bad.rules", c.text, Path::forward);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().file, "bad.rules");
    EXPECT_EQ(r.error().line, c.line) << c.text;
    EXPECT_EQ(r.error().field, c.field) << c.text << r.error().message;
  }
}

// The same firewall in nft's text and in its JSON: both readers must give the same answers.
const char* const kNftText = R"(table ip filter {
	set dcs {
		type ipv4_addr
		flags interval
		elements = { 198.18.20.10, 198.18.20.11,
			     198.18.20.20-198.18.20.21 }
	}

	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state vmap { established : accept, related : accept, invalid : drop }
		iifname "lo" accept
		ip saddr 198.18.10.0/24 ip daddr @dcs jump to_dc
		ip saddr 198.18.10.0/24 ip daddr 198.18.20.30 tcp dport != 22 goto mgmt
		ip daddr 198.18.20.40 limit rate 10/second accept
		ip daddr 198.18.20.41 meta mark 0x1 accept
	}

	chain to_dc {
		tcp dport { 53, 88, 135, 49152-65535 } counter packets 0 bytes 0 accept comment "ad"
		udp dport 88 return
		meta l4proto udp accept
		tcp dport 88 accept
	}

	chain mgmt {
		tcp dport 3389 accept
	}
}
table inet other {
	chain fwd {
		type filter hook forward priority filter + 10; policy accept;
		tcp dport 135 log prefix "no 135: " drop
		ip6 daddr 2001:db8:20::/64 tcp dport 445 reject with tcp reset
	}
}
)";

const char* const kNftJson = R"({"nftables": [
 {"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
 {"table": {"family": "ip", "name": "filter", "handle": 1}},
 {"set": {"family": "ip", "name": "dcs", "table": "filter", "type": "ipv4_addr", "handle": 1, "flags": ["interval"],
   "elem": ["198.18.20.10", "198.18.20.11", {"range": ["198.18.20.20", "198.18.20.21"]}]}},
 {"chain": {"family": "ip", "table": "filter", "name": "forward", "handle": 2, "type": "filter", "hook": "forward",
   "prio": 0, "policy": "drop"}},
 {"chain": {"family": "ip", "table": "filter", "name": "to_dc", "handle": 3}},
 {"chain": {"family": "ip", "table": "filter", "name": "mgmt", "handle": 4}},
 {"rule": {"family": "ip", "table": "filter", "chain": "forward", "handle": 5, "expr": [
   {"vmap": {"key": {"ct": {"key": "state"}}, "data": {"set": [["established", {"accept": null}],
     ["related", {"accept": null}], ["invalid", {"drop": null}]]}}}]}},
 {"rule": {"family": "ip", "table": "filter", "chain": "forward", "handle": 6, "expr": [
   {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "lo"}}, {"accept": null}]}},
 {"rule": {"family": "ip", "table": "filter", "chain": "forward", "handle": 7, "expr": [
   {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
     "right": {"prefix": {"addr": "198.18.10.0", "len": 24}}}},
   {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "@dcs"}},
   {"jump": {"target": "to_dc"}}]}},
 {"rule": {"family": "ip", "table": "filter", "chain": "forward", "handle": 8, "expr": [
   {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
     "right": {"prefix": {"addr": "198.18.10.0", "len": 24}}}},
   {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "198.18.20.30"}},
   {"match": {"op": "!=", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}},
   {"goto": {"target": "mgmt"}}]}},
 {"rule": {"family": "ip", "table": "filter", "chain": "forward", "handle": 9, "expr": [
   {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "198.18.20.40"}},
   {"limit": {"rate": 10, "burst": 5, "per": "second"}}, {"accept": null}]}},
 {"rule": {"family": "ip", "table": "filter", "chain": "forward", "handle": 10, "expr": [
   {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "198.18.20.41"}},
   {"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 1}}, {"accept": null}]}},
 {"rule": {"family": "ip", "table": "filter", "chain": "to_dc", "handle": 11, "comment": "ad", "expr": [
   {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
     "right": {"set": [53, 88, 135, {"range": [49152, 65535]}]}}},
   {"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]}},
 {"rule": {"family": "ip", "table": "filter", "chain": "to_dc", "handle": 12, "expr": [
   {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 88}}, {"return": null}]}},
 {"rule": {"family": "ip", "table": "filter", "chain": "to_dc", "handle": 13, "expr": [
   {"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "udp"}}, {"accept": null}]}},
 {"rule": {"family": "ip", "table": "filter", "chain": "to_dc", "handle": 14, "expr": [
   {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 88}}, {"accept": null}]}},
 {"rule": {"family": "ip", "table": "filter", "chain": "mgmt", "handle": 15, "expr": [
   {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 3389}}, {"accept": null}]}},
 {"table": {"family": "inet", "name": "other", "handle": 2}},
 {"chain": {"family": "inet", "table": "other", "name": "fwd", "handle": 1, "type": "filter", "hook": "forward",
   "prio": 10, "policy": "accept"}},
 {"rule": {"family": "inet", "table": "other", "chain": "fwd", "handle": 2, "expr": [
   {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 135}},
   {"log": {"prefix": "no 135: "}}, {"drop": null}]}},
 {"rule": {"family": "inet", "table": "other", "chain": "fwd", "handle": 3, "expr": [
   {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}},
     "right": {"prefix": {"addr": "2001:db8:20::", "len": 64}}}},
   {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 445}},
   {"reject": {"type": "tcp reset"}}]}}
]})";

void expect_nft_semantics(const Ruleset& r, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.10", 6, 88)), Fate::accepted);
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.21", 6, 60000)), Fate::accepted);  // a range element
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.22", 6, 88)), Fate::dropped);
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.10", 6, 135)), Fate::dropped);  // the later table drops it
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.10", 6, 445)), Fate::dropped);
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.10", 17, 88)), Fate::dropped);  // returned, then policy
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.10", 17, 53)), Fate::accepted);
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.30", 6, 3389)), Fate::accepted);
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.30", 6, 22)), Fate::dropped);
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.30", 6, 445, 2)), Fate::accepted);  // vmap established
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.40", 6, 80)), Fate::undecided);     // limit
  EXPECT_EQ(fate(r, packet("198.18.10.5", "198.18.20.41", 6, 80)), Fate::undecided);     // meta mark
  // IPv6: the ip table does not see it; the inet table's policy accepts, its reject drops.
  EXPECT_EQ(fate(r, packet("2001:db8:10::5", "2001:db8:20::10", 6, 88)), Fate::accepted);
  EXPECT_EQ(fate(r, packet("2001:db8:10::5", "2001:db8:20::10", 6, 445)), Fate::dropped);
  auto shadowed = shadowed_rules(r);
  ASSERT_EQ(shadowed.size(), 1u);  // tcp dport 88 accept in to_dc
  EXPECT_NE(shadowed[0].rule->text.find("88"), std::string::npos);
}

TEST(AuditNft, TextAndJsonMeanTheSame) {
  auto text = read_nft_text("fw.nft", kNftText, Path::forward);
  ASSERT_TRUE(text.ok()) << text.error().to_string();
  expect_nft_semantics(*text, "text");
  auto json = read_nft_json("fw.json", kNftJson, Path::forward);
  ASSERT_TRUE(json.ok()) << json.error().to_string();
  expect_nft_semantics(*json, "json");
  // Detected by content.
  EXPECT_TRUE(read_ruleset("x", kNftJson, Path::forward).ok());
  EXPECT_EQ(read_ruleset("x", kIptables, Path::forward)->covers_ipv6, false);
  // The text's locations are lines; the JSON's the chain and handle.
  auto shadowed_text = shadowed_rules(*text), shadowed_json = shadowed_rules(*json);
  ASSERT_EQ(shadowed_text.size(), 1u);
  ASSERT_EQ(shadowed_json.size(), 1u);
  EXPECT_EQ(shadowed_text[0].rule->location.to_string(), "fw.nft:23");
  EXPECT_EQ(shadowed_json[0].rule->location.to_string(), "fw.json: ip filter to_dc handle 14");
}

TEST(AuditNft, InputPathAndLoadFileCommands) {
  // A load file: declare, delete, then the table; commands add to it; a flush empties it.
  const char* file = R"(table inet t
delete table inet t
table inet t {
	chain input {
		type filter hook input priority 0; policy drop;
	}
}
add rule inet t input tcp dport 445 accept
insert rule inet t input tcp dport 445 drop
table ip gone { chain c { type filter hook input priority 0; policy drop; } }
delete table ip gone
)";
  auto r = read_nft_text("load.nft", file, Path::input);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->stages.size(), 1u);
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 6, 445)), Fate::dropped);  // inserted first
  // The forward path of the same file has no chain: everything passes.
  auto f = read_nft_text("load.nft", file, Path::forward);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(fate(*f, packet("198.18.10.5", "198.18.20.10", 6, 445)), Fate::accepted);
}

// Concatenations, where their keys are decidable: a verdict map keyed by protocol . port, an
// anonymous set of address . port pairs, a named set of them: each element is one rule, its parts
// matched together.
TEST(AuditNft, ConcatenationsAreReadElementByElement) {
  const char* text = R"(table ip t {
	set pairs {
		type ipv4_addr . inet_service
		elements = { 198.18.10.7 . 3389 }
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ip protocol . th dport vmap { tcp . 22 : accept, udp . 53 : accept }
		ip saddr . tcp dport { 198.18.10.5 . 445, 198.18.10.6 . 88 } accept
		ip saddr . tcp dport @pairs accept
	}
}
)";
  auto r = read_nft_text("router.nft", text, Path::forward);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(fate(*r, packet("198.18.10.9", "198.18.20.10", 6, 22)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.10.9", "198.18.20.10", 17, 53)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.10.9", "198.18.20.10", 6, 53)), Fate::dropped) << "tcp . 53 is no key";
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 6, 445)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.10.5", "198.18.20.10", 6, 88)), Fate::dropped) << "the pairs, not their product";
  EXPECT_EQ(fate(*r, packet("198.18.10.6", "198.18.20.10", 6, 88)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.10.7", "198.18.20.10", 6, 3389)), Fate::accepted);
  EXPECT_EQ(fate(*r, packet("198.18.10.8", "198.18.20.10", 6, 3389)), Fate::dropped);
}

// What an nftables.conf's first lines usually are, resolved as nft resolves them: variables (a set of
// them inside another), service and protocol names from the system's tables, a rewrite that is no
// match, a counter chosen by a map, an include (said, not read), and a set the rules fill as packets
// pass (undecided). The same file passes `nft -c -f` (tests/corpus holds real ones).
TEST(AuditNft, VariablesNamesIncludesAndSetsFilledByRules) {
  const char* text = R"(#!/usr/sbin/nft -f
include "/etc/nftables.d/*.nft"
define lan = { 198.18.10.0/24, 198.18.20.0/24 }
define admin = 198.18.10.5
define admins = { $admin, 198.18.10.6 }
define remote=3389
table inet filter {
	set knock { type ipv4_addr; flags dynamic, timeout; timeout 10s; }
	set knocked { type ipv4_addr; }
	counter c_ssh { }
	chain forward {
		type filter hook forward priority 0; policy drop;
		tcp flags syn tcp option maxseg size set rt mtu
		ip saddr $lan tcp dport { ssh, domain } accept
		ip saddr { $admins, 198.18.30.1 } tcp dport $remote accept
		udp dport 7000 add @knocked { ip saddr } drop
		ip saddr @knocked tcp dport 8080 accept
		ip saddr @knock tcp dport 8081 accept
		counter name tcp dport map { 22 : "c_ssh" }
		meta l4proto ipv6-icmp accept
	}
}
)";
  auto r = read_nft_text("nftables.conf", text, Path::forward);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(fate(*r, packet("198.18.20.5", "198.18.30.10", 6, 22)), Fate::accepted) << "ssh is 22";
  EXPECT_EQ(fate(*r, packet("198.18.20.5", "198.18.30.10", 6, 53)), Fate::accepted) << "domain is 53";
  EXPECT_EQ(fate(*r, packet("198.18.40.5", "198.18.30.10", 6, 22)), Fate::dropped) << "not in $lan";
  EXPECT_EQ(fate(*r, packet("198.18.10.6", "198.18.30.10", 6, 3389)), Fate::accepted) << "$admins inside a set";
  EXPECT_EQ(fate(*r, packet("198.18.10.7", "198.18.30.10", 6, 3389)), Fate::dropped);
  EXPECT_EQ(fate(*r, packet("198.18.10.7", "198.18.30.10", 6, 8080)), Fate::undecided) << "filled by add @knocked";
  EXPECT_EQ(fate(*r, packet("198.18.10.7", "198.18.30.10", 6, 8081)), Fate::undecided) << "flags dynamic";
  auto o = evaluate(*r, {packet("198.18.10.7", "198.18.30.10", 6, 8080)});
  ASSERT_EQ(o.undecided.size(), 1u);
  EXPECT_NE(o.undecided[0].why.en.find("set @knocked is filled as packets pass"), std::string::npos)
      << o.undecided[0].why.en;
  EXPECT_NE(o.undecided[0].why.in(Lang::ja).find("セット @knocked はパケットが通るたびに埋まります"), std::string::npos)
      << o.undecided[0].why.in(Lang::ja);
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_EQ(r->notes[0].first.line, 2);
  EXPECT_NE(r->notes[0].second.en.find("include \"/etc/nftables.d/*.nft\": that file is not read"), std::string::npos);
  // A name the system's table does not know is no port: nft refuses the file, and so does winports,
  // at the line (as iptables-restore and the iptables reader do for --dport no-such-service).
  auto unknown = read_nft_text("x.nft",
                               "table ip t {\n\tchain c {\n\t\ttype filter hook forward priority 0; policy drop;\n"
                               "\t\ttcp dport no-such-service accept\n\t}\n}\n",
                               Path::forward);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().line, 4);
  EXPECT_NE(unknown.error().message.find("'no-such-service' is no port"), std::string::npos);
  auto unknown_iptables = read_iptables_save(
      "rules.v4", "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -p tcp --dport no-such-service -j ACCEPT\nCOMMIT\n",
      Path::forward);
  ASSERT_FALSE(unknown_iptables.ok());
  EXPECT_EQ(unknown_iptables.error().line, 3);
}

TEST(AuditNft, BadInputNamesFileLineAndField) {
  struct Case {
    const char* text;
    int line;
  } cases[] = {
      {"table inet t {\n\tchain c {\n\t\ttype filter hook forward priority nope; policy drop;\n\t}\n}\n", 3},
      {"table inet t {\n\tchain c {\n\t\ttype filter hook forward priority 0; policy maybe;\n\t}\n}\n", 3},
      {"table inet t {\n\tchain c {\n\t\tjump nowhere\n\t}\n}\n", 3},
      {"table inet t {\n\tchain c {\n\t\tip saddr 1.2.3.4 accept\n", 4},
      {"define x = 1\ntable inet t {\n\tchain c {\n\t\tip saddr $y accept\n\t}\n}\n", 4},  // undefined, as nft says
      {"define x\n", 1},
      {"add rule inet t c accept\n", 1},
  };
  for (const auto& c : cases) {
    auto r = read_nft_text("bad.nft", c.text, Path::forward);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().file, "bad.nft");
    EXPECT_EQ(r.error().line, c.line) << c.text << " " << r.error().to_string();
  }
  EXPECT_FALSE(read_nft_json("bad.json", R"({"nftables": 3})", Path::forward).ok());
  EXPECT_FALSE(read_nft_json("bad.json", R"({"nftables": [{"rule": {"family": "ip"}}]})", Path::forward).ok());
  EXPECT_FALSE(read_nft_json("bad.json", R"({"nftables": [{"chain": {"family": 5}}]})", Path::forward).ok());
}

// --- the audit against the plan ----------------------------------------------------------

struct Site {
  plan::Environment env;
  plan::Plan plan;
};

Site load(const std::string& name) {
  const auto& c = catalog::builtin_catalog();
  auto path = std::string(WINPORTS_EXAMPLES) + "/" + name;
  auto env = name == "edge-cases" ? plan::load_environment({name, test::kEdgeCases}, c)
                                  : plan::load_environment({path, slurp(path)}, c);
  EXPECT_TRUE(env.ok()) << name << ": " << env.error().to_string();
  auto p = plan::make_plan(*env, c);
  return {std::move(*env), std::move(p)};
}

// What iptables-save prints once the restore file is loaded (--noflush) and the jump added: the
// built-in chains, then winports' own.
std::string as_saved(const std::string& restore, bool v6, bool host) {
  std::string out = std::string("# Generated by ") + (v6 ? "ip6tables-save" : "iptables-save") + " v1.8.9\n";
  std::istringstream in(restore);
  std::string line, first_chain;
  while (std::getline(in, line)) {
    if (line == "*filter") {
      out += "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
      continue;
    }
    if (line.rfind(':', 0) == 0 && first_chain.empty()) first_chain = line.substr(1, line.find(' ') - 1);
    if (line == "COMMIT") out += std::string("-A ") + (host ? "INPUT" : "FORWARD") + " -j " + first_chain + "\n";
    out += line + "\n";
  }
  return out;
}

Audit run_audit(const Site& site, const Ruleset& r, const std::string& host = "") {
  auto a = audit::audit(site.env, catalog::builtin_catalog(), site.plan, r, host);
  EXPECT_TRUE(a.ok()) << a.error().to_string();
  return a.ok() ? *a : Audit{};
}

TEST(AuditOwnOutput, EveryExampleAuditsCleanAgainstItsPlan) {
  const auto& c = catalog::builtin_catalog();
  for (const char* name :
       {"branch-office.yaml", "dmz.yaml", "mixed-domain.yaml", "modern-company.yaml", "edge-cases"}) {
    auto site = load(name);
    std::vector<std::string> hosts{std::string(), site.env.hosts.front().name};
    // A dual-stack host's own firewall: audited on both of its addresses.
    for (const auto& h : site.env.hosts)
      if (h.addresses.size() > 1) hosts.push_back(h.name);
    for (const std::string& host : hosts) {
      SCOPED_TRACE(std::string(name) + (host.empty() ? "" : " --host " + host));
      auto path = host.empty() ? Path::forward : Path::input;
      emit::Input in{site.plan, site.env, c, {Lang::en, host}};
      auto nft = emit::emit_nftables(in);
      ASSERT_TRUE(nft.ok());
      auto r = read_nft_text("plan.nft", *nft, path);
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      auto a = run_audit(site, *r, host);
      EXPECT_TRUE(a.clean()) << audit_text(a);
      EXPECT_GT(a.flows, 0u);
      auto v4 = emit::emit_iptables(in), v6 = emit::emit_ip6tables(in);
      ASSERT_TRUE(v4.ok() && v6.ok());
      auto r4 = read_iptables_save("v4", as_saved(*v4, false, !host.empty()), path);
      auto r6 = read_iptables_save("v6", as_saved(*v6, true, !host.empty()), path);
      ASSERT_TRUE(r4.ok()) << r4.error().to_string();
      ASSERT_TRUE(r6.ok()) << r6.error().to_string();
      std::vector<Ruleset> parts;
      parts.push_back(std::move(*r4));
      parts.push_back(std::move(*r6));
      auto ipt = run_audit(site, merge(std::move(parts)), host);
      EXPECT_TRUE(ipt.clean()) << audit_text(ipt);
    }
  }
}

// Dumps recorded from a kernel that loaded branch-office's outputs (tests/netns/audit_test.sh makes
// the same live): nft -j list ruleset, nft list ruleset, iptables-save and an empty ip6tables-save.
TEST(AuditOwnOutput, RecordedKernelDumpsAuditClean) {
  auto site = load("branch-office.yaml");
  auto dir = std::string(WINPORTS_TEST_DATA) + "/audit/";
  for (const char* name : {"branch-office.nft.json", "branch-office.nft"}) {
    auto r = read_ruleset(name, slurp(dir + name), Path::forward);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    auto a = run_audit(site, *r);
    EXPECT_TRUE(a.clean()) << name << "\n" << audit_text(a);
    EXPECT_EQ(a.flows, site.plan.flows.size());
  }
  auto v4 = read_ruleset("v4", slurp(dir + "branch-office.iptables-save"), Path::forward);
  ASSERT_TRUE(v4.ok()) << v4.error().to_string();
  EXPECT_FALSE(read_ruleset("v6", slurp(dir + "branch-office.ip6tables-save"), Path::forward).ok())
      << "an empty file's format cannot be told";
  auto v6 = read_ruleset("v6", slurp(dir + "branch-office.ip6tables-save"), Path::forward, Format::iptables_save);
  ASSERT_TRUE(v6.ok());
  EXPECT_FALSE(v6->covers_ipv4 || v6->covers_ipv6);
  std::vector<Ruleset> parts;
  parts.push_back(std::move(*v4));
  parts.push_back(std::move(*v6));
  auto a = run_audit(site, merge(std::move(parts)));
  EXPECT_TRUE(a.clean()) << audit_text(a);
}

// Replaces the first line holding `find` (which must exist) with `with`.
std::string edit(std::string text, const std::string& find, const std::string& with) {
  auto at = text.find(find);
  EXPECT_NE(at, std::string::npos) << find;
  if (at == std::string::npos) return text;
  auto start = text.rfind('\n', at) + 1, end = text.find('\n', at);
  return text.substr(0, start) + with + text.substr(end);
}

// branch-office and winports' own nftables output for it, to edit.
std::pair<Site, std::string> branch_office() {
  auto site = load("branch-office.yaml");
  auto nft = emit::emit_nftables({site.plan, site.env, catalog::builtin_catalog(), {Lang::en, ""}});
  EXPECT_TRUE(nft.ok());
  return {std::move(site), nft.ok() ? *nft : ""};
}

// Reads an edited nftables text and audits it against the site's plan.
Audit audit_nft(const Site& site, const std::string& text) {
  auto r = read_nft_text("fw.nft", text, Path::forward);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? run_audit(site, *r) : Audit{};
}

const char* const kClientsToDcsTcp = "ip saddr @zone_clients_v4 ip daddr { 198.18.20.10, 198.18.20.11 } tcp dport";

TEST(AuditFindings, ADeletedPortIsBlockedWithTheServicesItBreaks) {
  auto [site, nft] = branch_office();
  auto text = edit(nft, kClientsToDcsTcp,
                   "\t\tip saddr @zone_clients_v4 ip daddr { 198.18.20.10, 198.18.20.11 } tcp dport { 53, 88, 135, "
                   "389, 445, 636, 3268-3269, 49152-65535 } accept");
  auto r = read_nft_text("fw.nft", text, Path::forward);
  ASSERT_TRUE(r.ok());
  auto a = run_audit(site, *r);
  ASSERT_EQ(a.blocked.size(), 1u) << audit_text(a);
  const auto& b = a.blocked[0];
  EXPECT_EQ(b.from.en, "clients");
  EXPECT_EQ(b.to.en, "dc1,dc2");
  EXPECT_EQ(b.transport, "tcp");
  EXPECT_EQ(b.ports, (PortSet{{464, 464}}));
  EXPECT_NE(std::find(b.services.begin(), b.services.end(), "kdc"), b.services.end());
  EXPECT_EQ(std::find(b.services.begin(), b.services.end(), "dns-server"), b.services.end());
  EXPECT_NE(b.kb.en.find("Kerberos"), std::string::npos);
  ASSERT_EQ(b.rules.size(), 1u);  // the site chain's last rule drops it
  EXPECT_NE(r->chains.at("inet winports_branch_01 site").rules.back().location.line, 0);
  EXPECT_EQ(b.rules[0].line, r->chains.at("inet winports_branch_01 site").rules.back().location.line);
  EXPECT_TRUE(a.extra.empty() && a.replies.empty() && a.shadowed.empty() && a.unsupported.empty()) << audit_text(a);
  // The JSON payload carries it in the documented shape.
  auto json = audit_json(a);
  EXPECT_NE(json.find(R"("ports": [
        [
          464,
          464
        ]
      ])"),
            std::string::npos)
      << json;
}

TEST(AuditFindings, AnAddedOpeningIsExtraWithWhatThePortMeans) {
  auto [site, nft] = branch_office();
  auto text = edit(nft, "counter name unplanned drop",
                   "\t\tip saddr @zone_clients_v4 ip daddr 198.18.20.20 tcp dport 3389 accept\n"
                   "\t\tcounter name unplanned drop");
  auto a = audit_nft(site, text);
  ASSERT_EQ(a.extra.size(), 1u) << audit_text(a);
  EXPECT_EQ(a.extra[0].from.en, "clients");
  EXPECT_EQ(a.extra[0].to.en, "fs1");
  EXPECT_EQ(a.extra[0].transport, "tcp");
  EXPECT_EQ(a.extra[0].ports, (PortSet{{3389, 3389}}));
  EXPECT_NE(std::find(a.extra[0].services.begin(), a.extra[0].services.end(), "rds"), a.extra[0].services.end());
  EXPECT_TRUE(a.blocked.empty());
}

TEST(AuditFindings, RepliesShadowsAndUnreadableMatchesAreFindingsOfTheirOwn) {
  auto [site, nft] = branch_office();
  // Without the conntrack accept, every flow's replies are dropped by the site chain.
  auto a = audit_nft(site, edit(nft, "ct state established,related accept", ""));
  // Replies are dropped: no planned flow goes back from the ports a flow opened, and an echo's
  // reply (echo-reply) is not the echo request dc2 -> dc1 plans.
  auto replies = [&](const std::string& from, const std::string& to, const std::string& transport) {
    return std::count_if(a.replies.begin(), a.replies.end(), [&](const PortFinding& f) {
      return f.from.en == from && f.to.en == to && f.transport == transport;
    });
  };
  EXPECT_EQ(replies("dc1,dc2", "clients", "tcp"), 1) << audit_text(a);
  EXPECT_EQ(replies("fs1", "clients", "tcp"), 1);
  EXPECT_EQ(replies("dc2", "dc1", "icmp"), 1);
  EXPECT_EQ(replies("dc2", "dc1", "tcp"), 1);  // its tcp replies come from ports no planned flow opens
  EXPECT_TRUE(a.blocked.empty() && a.extra.empty());
  // A second copy of a rule never matches: the first decides all of it.
  auto twice = edit(nft, "counter name unplanned drop",
                    std::string("\t\t") + kClientsToDcsTcp + " 445 accept\n\t\tcounter name unplanned drop");
  a = audit_nft(site, twice);
  ASSERT_EQ(a.shadowed.size(), 1u) << audit_text(a);
  EXPECT_NE(a.shadowed[0].text.find("445 accept"), std::string::npos);
  ASSERT_EQ(a.shadowed[0].by.size(), 1u);
  EXPECT_TRUE(a.blocked.empty() && a.extra.empty());
  // An interface match the site cannot place: what it selects is undecided, never guessed.
  auto iface = edit(nft, "ct state invalid drop", "\t\tct state invalid drop\n\t\tiifname \"eth1\" drop");
  a = audit_nft(site, iface);
  ASSERT_EQ(a.unsupported.size(), 1u) << audit_text(a);
  EXPECT_NE(a.unsupported[0].construct.en.find("eth1"), std::string::npos);
  EXPECT_NE(audit::audit_text(a, Lang::ja).find("インターフェイス eth1: どのゾーンがどのインターフェイスの先にあるか"),
            std::string::npos)
      << audit::audit_text(a, Lang::ja);
  EXPECT_EQ(a.unsupported[0].flows.size(), a.flows);
  EXPECT_TRUE(a.blocked.empty()) << audit_text(a);
}

}  // namespace

// --- Windows Firewall ------------------------------------------------------------------------

namespace {

// reg.exe's encoding: UTF-16LE with a BOM (the test's text is ASCII or in the BMP).
std::string utf16le(const std::string& utf8) {
  std::string out("\xFF\xFE", 2);
  for (std::size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    std::uint32_t cp = c;
    int extra = c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (extra) cp = c & (extra == 2 ? 0x0F : 0x1F);
    for (int k = 1; k <= extra; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + static_cast<std::size_t>(k)]) & 0x3F);
    i += static_cast<std::size_t>(extra) + 1;
    out += static_cast<char>(cp & 0xFF);
    out += static_cast<char>(cp >> 8);
  }
  return out;
}

std::string crlf(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\n') out += '\r';
    out += ch;
  }
  return out;
}

// The rules winports' PowerShell output creates on `host`, read from its rule table: what the host's
// firewall holds after the script ran.
struct PsRule {
  int protocol = -1;
  std::vector<std::string> local_ports, remote_ports, icmp, remote;
};
std::vector<std::string> ps_list(const std::string& line, const std::string& key) {
  std::vector<std::string> out;
  auto at = line.find(key + " = @(");
  if (at == std::string::npos) {
    at = line.find(key + " = '");
    if (at == std::string::npos) return out;
    auto start = at + key.size() + 4;
    out.push_back(line.substr(start, line.find('\'', start) - start));
    return out;
  }
  auto start = at + key.size() + 5, end = line.find(')', start);
  std::string inner = line.substr(start, end - start);
  for (std::size_t q = inner.find('\''); q != std::string::npos; q = inner.find('\'', inner.find('\'', q + 1) + 1)) {
    auto close = inner.find('\'', q + 1);
    out.push_back(inner.substr(q + 1, close - q - 1));
  }
  return out;
}
std::vector<PsRule> rules_of(const std::string& script, const std::string& host) {
  std::vector<PsRule> out;
  std::istringstream in(script.substr(script.find("\n$rules = @(\n") + 1));  // the $rules table only
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line) && line != ")") {
    if (line.find("@{ Host = '" + host + "';") == std::string::npos) continue;
    PsRule r;
    auto p = ps_list(line, "Protocol").at(0);
    r.protocol = p == "TCP" ? 6 : p == "UDP" ? 17 : p == "ICMPv4" ? 1 : p == "ICMPv6" ? 58 : std::stoi(p);
    r.local_ports = ps_list(line, "LocalPort");
    r.remote_ports = ps_list(line, "RemotePort");
    r.icmp = ps_list(line, "IcmpType");
    r.remote = ps_list(line, "RemoteAddress");
    out.push_back(std::move(r));
  }
  return out;
}

// "198.18.10.0/24" as Windows writes it: "198.18.10.0/255.255.255.0"; IPv6 keeps its prefix.
std::string windows_address(const std::string& a) {
  auto slash = a.find('/');
  if (slash == std::string::npos || a.find(':') != std::string::npos) return a;
  int prefix = std::stoi(a.substr(slash + 1));
  std::uint32_t mask = prefix ? ~std::uint32_t{0} << (32 - prefix) : 0;
  return a.substr(0, slash + 1) + std::to_string(mask >> 24) + "." + std::to_string((mask >> 16) & 255) + "." +
         std::to_string((mask >> 8) & 255) + "." + std::to_string(mask & 255);
}

const char* const kRegHeader = "Windows Registry Editor Version 5.00\n\n";
const char* const kLocalRules =
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules]"
    "\n";

std::string reg_of(const std::vector<PsRule>& rules) {
  std::string out = std::string(kRegHeader) + kLocalRules;
  int n = 0;
  for (const auto& r : rules) {
    std::string s = "v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=" + std::to_string(r.protocol) + "|";
    for (const auto& p : r.local_ports) s += "LPort=" + (p == "RPCEPMap" ? std::string("RPC-EPMap") : p) + "|";
    for (const auto& p : r.remote_ports) s += "RPort=" + p + "|";
    for (const auto& t : r.icmp) s += std::string(r.protocol == 1 ? "ICMP4=" : "ICMP6=") + t + ":*|";
    for (const auto& a : r.remote)
      s += std::string(a.find(':') != std::string::npos ? "RA6=" : "RA4=") + windows_address(a) + "|";
    s += "Name=winports → rule " + std::to_string(++n) + "|";
    out += "\"winports-" + std::to_string(n) + "\"=\"" + s + "\"\n";
  }
  // Rules that must change nothing: disabled, outbound, another profile's, a Windows default
  // restricted to the private profile, and a hex value wrapped over lines.
  out += "\"off\"=\"v2.31|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=3389|Name=RDP|\"\n";
  out += "\"out\"=\"v2.31|Action=Allow|Active=TRUE|Dir=Out|Protocol=6|RPort=80|Name=web|\"\n";
  out += "\"private\"=\"v2.31|Action=Allow|Active=TRUE|Dir=In|Profile=Private|Protocol=6|LPort=5985|Name=WinRM|\"\n";
  out += "\"blob\"=hex(7):41,00,42,00,\\\n  43,00,00,00,00,00\n";
  return out;
}

nlohmann::json json_of(const std::vector<PsRule>& rules) {
  nlohmann::json doc = {{"format", "winports-windows-firewall"}, {"version", 1}, {"computer", "TEST"}};
  doc["profiles"] = nlohmann::json::array();
  for (const char* p : {"Domain", "Private", "Public"})
    doc["profiles"].push_back(
        {{"name", p}, {"enabled", "True"}, {"default_inbound_action", "Block"}, {"allow_local_rules", "True"}});
  doc["rules"] = nlohmann::json::array();
  int n = 0;
  for (const auto& r : rules) {
    std::vector<std::string> remote;
    for (const auto& a : r.remote) remote.push_back(windows_address(a));
    std::vector<std::string> icmp(r.icmp);
    doc["rules"].push_back({{"id", "winports-" + std::to_string(++n)},
                            {"name", "rule " + std::to_string(n)},
                            {"enabled", "True"},
                            {"direction", "Inbound"},
                            {"action", "Allow"},
                            {"profile", "Any"},
                            {"protocol", r.protocol == 6    ? "TCP"
                                         : r.protocol == 17 ? "UDP"
                                                            : std::to_string(r.protocol)},
                            {"local_ports", r.local_ports.empty() ? std::vector<std::string>{"Any"} : r.local_ports},
                            {"remote_ports", r.remote_ports.empty() ? std::vector<std::string>{"Any"} : r.remote_ports},
                            {"icmp_types", icmp.empty() ? std::vector<std::string>{"Any"} : icmp},
                            {"local_addresses", "Any"},
                            {"remote_addresses", remote},
                            {"program", "Any"},
                            {"service", "Any"},
                            {"authentication", "NotRequired"},
                            {"encryption", "NotRequired"},
                            {"override_block", "False"},
                            {"store", "Local"}});
  }
  doc["rules"].push_back({{"id", "off"},
                          {"enabled", "False"},
                          {"direction", "Inbound"},
                          {"action", "Allow"},
                          {"profile", "Any"},
                          {"protocol", "TCP"},
                          {"local_ports", "3389"}});
  return doc;
}

}  // namespace

TEST(AuditWindows, TheHostFirewallThePowerShellOutputMakesAuditsClean) {
  const auto& c = catalog::builtin_catalog();
  for (const char* name : {"branch-office.yaml", "dmz.yaml", "mixed-domain.yaml", "edge-cases"}) {
    auto site = load(name);
    std::vector<std::string> refused;
    auto ps = emit::emit_powershell({site.plan, site.env, c, {Lang::en, ""}, &refused});
    ASSERT_TRUE(ps.ok());
    for (const auto& host : site.env.hosts) {
      auto rules = rules_of(*ps, host.name);
      bool is_refused = std::any_of(refused.begin(), refused.end(), [&](const std::string& w) {
        return w.find(host.name + " (") != std::string::npos;
      });
      if (is_refused) continue;  // no script runs there
      SCOPED_TRACE(std::string(name) + " --host " + host.name);
      auto context = host_context(site.env, c, host.name, "domain");
      ASSERT_TRUE(context.ok());
      auto reg = read_ruleset("host.reg", utf16le(crlf(reg_of(rules))), Path::input, Format::automatic, &*context);
      ASSERT_TRUE(reg.ok()) << reg.error().to_string();
      auto a = run_audit(site, *reg, host.name);
      EXPECT_TRUE(a.clean()) << audit_text(a);
      auto json = read_ruleset("host.json", json_of(rules).dump(1), Path::input, Format::automatic, &*context);
      ASSERT_TRUE(json.ok()) << json.error().to_string();
      a = run_audit(site, *json, host.name);
      EXPECT_TRUE(a.clean()) << audit_text(a);
    }
  }
}

namespace {

Audit windows_audit(const Site& site, const std::string& reg, const std::string& host = "dc1",
                    const std::string& profile = "domain") {
  auto context = host_context(site.env, catalog::builtin_catalog(), host, profile);
  EXPECT_TRUE(context.ok());
  auto r = read_ruleset("dc1.reg", utf16le(crlf(reg)), Path::input, Format::automatic, &*context);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? run_audit(site, *r, host) : Audit{};
}

// What dc1 needs from the clients and the file server, written as an administrator would: ports
// and the RPC keywords, the clients as LocalSubnet's neighbour zone written out.
const char* const kDc1Rules =
    "\"dns\"=\"v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=53|LPort=88|LPort=389|LPort=445|LPort=464|"
    "LPort=636|LPort=3268-3269|RA4=198.18.10.0/255.255.255.0|RA4=198.18.20.0/24|Name=AD TCP|\"\n"
    "\"epmap\"=\"v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|RA4=198.18.10.0/255.255.255.0|"
    "RA4=198.18.20.0/24|App=%SystemRoot%\\\\system32\\\\svchost.exe|Svc=RpcSs|Name=EPMAP|\"\n"
    "\"rpc\"=\"v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC|RA4=198.18.10.0/255.255.255.0|"
    "RA4=198.18.20.0/24|Name=RPC|\"\n"
    "\"udp\"=\"v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=53|LPort=88|LPort=123|LPort=389|LPort=464|"
    "RA4=198.18.10.0/255.255.255.0|RA4=198.18.20.0/24|Name=AD UDP|\"\n"
    "\"icmp\"=\"v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=1|ICMP4=8:*|RA4=198.18.10.0/255.255.255.0|"
    "RA4=198.18.20.0/24|Name=ICMP|\"\n";

}  // namespace

TEST(AuditWindows, KeywordsProfilesBlockOverAllowAndTheProfileState) {
  auto site = load("branch-office.yaml");
  std::string base = std::string(kRegHeader) + kLocalRules + kDc1Rules;
  auto a = windows_audit(site, base);
  EXPECT_TRUE(a.blocked.empty()) << audit_text(a);
  // The servers zone is allowed more than dc2 and fs1 need: extra, named by what is left of the zone.
  for (const auto& e : a.extra) {
    EXPECT_EQ(e.from.en, "servers except dc1,dc2,fs1") << audit_text(a);
    EXPECT_EQ(e.from.in(Lang::ja), "servers (dc1,dc2,fs1 を除く)");
  }
  std::vector<std::string> notes_en, notes_ja;
  for (const auto& note : a.assumptions) notes_en.push_back(note.en), notes_ja.push_back(note.in(Lang::ja));
  // The endpoint mapper's rule (Svc=RpcSs) is a program the data knows: it answers for every service.
  EXPECT_NE(std::find(notes_en.begin(), notes_en.end(),
                      "dc1.reg: 1 programs or services the rules name have their catalog services in "
                      "data/windows-rules.yaml (service rpcss): a planned flow of another service is not theirs to "
                      "allow"),
            notes_en.end())
      << audit_text(a);
  // The same notes in Japanese, the location kept as it is.
  EXPECT_NE(std::find(notes_ja.begin(), notes_ja.end(),
                      "dc1.reg: 規則が指定するプログラムかサービスのうち 1 個は data/windows-rules.yaml にカタログ上の"
                      "サービスがあります (service rpcss): ほかのサービスの計画済みフローはそれらでは許可されません"),
            notes_ja.end());
  // No profile key in the export: Windows' defaults, and said.
  EXPECT_TRUE(std::any_of(notes_en.begin(), notes_en.end(),
                          [](const std::string& s) { return s.find("DefaultInboundAction") != std::string::npos; }));
  EXPECT_TRUE(std::any_of(notes_ja.begin(), notes_ja.end(),
                          [](const std::string& s) { return s.find("既定値とみなします") != std::string::npos; }));

  // A Block rule wins over the Allow rules, wherever it stands.
  auto block = base + "\"no-kerberos\"=\"v2.31|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=88|Name=block|\"\n";
  a = windows_audit(site, block);
  ASSERT_EQ(a.blocked.size(), 3u) << audit_text(a);  // from the clients, dc2 and fs1, on dc1
  for (const auto& b : a.blocked) {
    EXPECT_EQ(b.to.en, "dc1");
    EXPECT_EQ(b.ports, (PortSet{{88, 88}}));
    EXPECT_NE(std::find(b.services.begin(), b.services.end(), "kdc"), b.services.end());
  }
  // Inactive, and for another profile: no effect on the domain profile; with --profile public it blocks.
  auto off = base + "\"b1\"=\"v2.31|Action=Block|Active=FALSE|Dir=In|Protocol=6|LPort=88|\"\n" +
             "\"b2\"=\"v2.31|Action=Block|Active=TRUE|Dir=In|Profile=Public|Protocol=6|LPort=88|\"\n";
  EXPECT_TRUE(windows_audit(site, off).blocked.empty());
  EXPECT_FALSE(windows_audit(site, off, "dc1", "public").blocked.empty());

  // The profile's state from the whole FirewallPolicy key: firewall off, everything passes — one
  // finding that the rules do not apply, not every zone pair "beyond the plan".
  auto profile_key = std::string(
      "[HKEY_LOCAL_"
      "MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\DomainProfile]\n");
  a = windows_audit(site, base + profile_key + "\"EnableFirewall\"=dword:00000000\n");
  EXPECT_TRUE(a.blocked.empty());
  EXPECT_TRUE(a.extra.empty()) << audit_text(a);
  ASSERT_EQ(a.unreached.size(), 1u) << audit_text(a);
  EXPECT_EQ(a.unreached[0].what.en, "the domain profile's firewall is off");
  // Default inbound allowed: the same.
  a = windows_audit(
      site, base + profile_key + "\"EnableFirewall\"=dword:00000001\n\"DefaultInboundAction\"=dword:00000000\n");
  EXPECT_FALSE(a.extra.empty());

  // A GPO that does not merge local rules: only its own apply, and the plan is blocked.
  auto gpo = base + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile]\n" +
             "\"AllowLocalPolicyMerge\"=dword:00000000\n";
  a = windows_audit(site, gpo);
  EXPECT_FALSE(a.blocked.empty());

  // Keywords the site cannot know are undecided, LocalSubnet is the host's zone.
  auto dns = std::string(kRegHeader) + kLocalRules +
             "\"k\"=\"v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=53|RA4=DNS|\"\n" +
             "\"s\"=\"v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=445|RA4=LocalSubnet|\"\n";
  a = windows_audit(site, dns);
  ASSERT_EQ(a.unsupported.size(), 1u) << audit_text(a);
  EXPECT_NE(a.unsupported[0].construct.en.find("RA=DNS"), std::string::npos);
  // fs1 (in dc1's subnet) reaches 445 through LocalSubnet; the clients do not.
  EXPECT_TRUE(std::none_of(a.blocked.begin(), a.blocked.end(), [](const PortFinding& b) {
    return b.from.en == "fs1" && b.ports.contains(445);
  })) << audit_text(a);
  EXPECT_TRUE(std::any_of(a.blocked.begin(), a.blocked.end(), [](const PortFinding& b) {
    return b.from.en == "clients" && b.ports.contains(445);
  })) << audit_text(a);
}

TEST(AuditWindows, BadExportsNameFileLineAndField) {
  auto site = load("branch-office.yaml");
  auto context = host_context(site.env, catalog::builtin_catalog(), "dc1", "domain");
  ASSERT_TRUE(context.ok());
  struct Case {
    std::string text;
    int line;
    const char* field;
  } cases[] = {
      {"REGEDIT5\n", 1, "header"},
      {std::string(kRegHeader) + kLocalRules + "\"r\"=\"v2.31|Action=Maybe|Dir=In|\"\n", 4, "r.Action"},
      {std::string(kRegHeader) + kLocalRules + "\"r\"=\"v2.31|Action=Allow|Dir=In|Protocol=tcp6|\"\n", 4, "r.Protocol"},
      {std::string(kRegHeader) + kLocalRules + "\"r\"=\"not a rule\"\n", 4, "r"},
      {std::string(kRegHeader) + kLocalRules + "\"r\"=\"v2.31|Action=Allow|Dir=In\n", 4, "r"},
  };
  for (const auto& c : cases) {
    auto r = read_ruleset("bad.reg", utf16le(crlf(c.text)), Path::input, Format::windows_reg, &*context);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().line, c.line) << r.error().to_string();
    EXPECT_EQ(r.error().field, c.field) << r.error().to_string();
  }
  // A Windows export without --host is refused: it is one host's firewall.
  auto r = read_ruleset("x.reg", utf16le(crlf(std::string(kRegHeader))), Path::forward);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "--host");
  EXPECT_FALSE(read_ruleset("x.json",
                            R"({"format": "winports-windows-firewall", "rules": [{"direction": "Sideways"}]})",
                            Path::input, Format::automatic, &*context)
                   .ok());
}

// ICMP types a finding leaves out are said in the run's language; the JSON keeps its stable form.
TEST(AuditReport, IcmpTypesLeftOutInTheRunsLanguage) {
  audit::Audit a;
  audit::PortFinding f;
  f.from = LocalizedText{{}, "clients"}, f.to = LocalizedText{{}, "dc1"};
  f.transport = "icmp";
  f.icmp_types = {"echo-request"};
  f.icmp_types_left_out = true;
  a.blocked.push_back(f);
  EXPECT_NE(audit::audit_text(a, Lang::en).find("icmp every type but echo-request"), std::string::npos)
      << audit::audit_text(a, Lang::en);
  EXPECT_NE(audit::audit_text(a, Lang::ja).find("icmp echo-request 以外のすべての種類"), std::string::npos)
      << audit::audit_text(a, Lang::ja);
  auto json = nlohmann::json::parse(audit::audit_json(a));
  EXPECT_EQ(json["blocked"][0]["icmp_types"], nlohmann::json::array({"every type but echo-request"})) << json.dump();
}
