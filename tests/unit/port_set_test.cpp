// PortSet algebra: examples, then properties checked against a 65,536-bit model.
#include <gtest/gtest.h>

#include <bitset>
#include <random>

#include "winports/core/port.hpp"

using winports::PortRange;
using winports::PortSet;

namespace {

using Model = std::bitset<65536>;

Model model_of(const PortSet& s) {
  Model m;
  for (auto r : s.ranges())
    for (std::uint32_t p = r.lo; p <= r.hi; ++p) m.set(p);
  return m;
}

PortSet random_set(std::mt19937& rng) {
  PortSet s;
  std::uniform_int_distribution<int> count(0, 6), start(0, 65535), length(0, 300), small(0, 40);
  int n = count(rng);
  for (int i = 0; i < n; ++i) {
    // Mix wide ranges with clustered small ones so that touching and overlapping ranges occur.
    int lo = (i % 2) ? start(rng) : small(rng) * 3;
    int hi = std::min(65535, lo + length(rng) % ((i % 3) ? 5 : 300));
    s.add({static_cast<std::uint16_t>(lo), static_cast<std::uint16_t>(hi)});
  }
  return s;
}

void expect_canonical(const PortSet& s) {
  for (std::size_t i = 0; i < s.ranges().size(); ++i) {
    EXPECT_LE(s.ranges()[i].lo, s.ranges()[i].hi);
    if (i > 0) {
      EXPECT_GT(s.ranges()[i].lo, std::uint32_t{s.ranges()[i - 1].hi} + 1)
          << "ranges must be sorted, disjoint, non-adjacent";
    }
  }
}

}  // namespace

TEST(PortSet, MergesOverlappingAndAdjacentRanges) {
  PortSet s{{135, 135}, {137, 139}, {136, 136}, {445, 445}};
  EXPECT_EQ(s.to_string(), "135-139,445");
  s.add({1, 65535});
  EXPECT_EQ(s.to_string(), "1-65535");
}

TEST(PortSet, ParsesRanges) {
  EXPECT_EQ(winports::parse_port_range("49152-65535"), (PortRange{49152, 65535}));
  EXPECT_EQ(winports::parse_port_range("49152 - 65535"), (PortRange{49152, 65535}));
  EXPECT_EQ(winports::parse_port_range("445"), (PortRange{445, 445}));
  EXPECT_FALSE(winports::parse_port_range("5000-1025"));
  EXPECT_FALSE(winports::parse_port_range("65536"));
  EXPECT_FALSE(winports::parse_port_range("1382x"));
  EXPECT_FALSE(winports::parse_port_range(""));
}

TEST(PortSet, SubtractSplitsRanges) {
  PortSet all{{1025, 5000}, {49152, 65535}};
  PortSet hole{{2000, 2999}, {65535, 65535}};
  EXPECT_EQ(all.subtract(hole).to_string(), "1025-1999,3000-5000,49152-65534");
  EXPECT_EQ(all.intersect(hole).to_string(), "2000-2999,65535");
  EXPECT_EQ(all.count(), 3976u + 16384u);
}

TEST(PortSetProperty, OperationsAgreeWithBitsetModel) {
  std::mt19937 rng(832017);
  for (int iteration = 0; iteration < 400; ++iteration) {
    auto a = random_set(rng);
    auto b = random_set(rng);
    auto ma = model_of(a), mb = model_of(b);
    expect_canonical(a);
    auto u = a.unite(b), i = a.intersect(b), d = a.subtract(b);
    expect_canonical(u);
    expect_canonical(i);
    expect_canonical(d);
    ASSERT_EQ(model_of(u), ma | mb) << a.to_string() << " ∪ " << b.to_string();
    ASSERT_EQ(model_of(i), ma & mb) << a.to_string() << " ∩ " << b.to_string();
    ASSERT_EQ(model_of(d), ma & ~mb) << a.to_string() << " − " << b.to_string();
    ASSERT_EQ(a.count(), ma.count());
    ASSERT_EQ(a.includes(i), true);
    ASSERT_EQ(u.includes(a) && u.includes(b), true);
    ASSERT_EQ(a.includes(b), (mb & ~ma).none());
    ASSERT_EQ(a.overlaps(b), (ma & mb).any()) << a.to_string() << " meets " << b.to_string();
    ASSERT_EQ(a.overlaps(b), b.overlaps(a));
    for (int k = 0; k < 20; ++k) {
      auto p = static_cast<std::uint16_t>(rng() % 65536);
      ASSERT_EQ(a.contains(p), ma.test(p));
    }
    // Algebraic laws.
    ASSERT_EQ(a.unite(b), b.unite(a));
    ASSERT_EQ(a.intersect(b), b.intersect(a));
    ASSERT_EQ(d.unite(i), a);
    ASSERT_TRUE(d.intersect(b).empty());
  }
}

TEST(Transport, NamesRoundTrip) {
  for (auto t :
       {winports::Transport::tcp, winports::Transport::udp, winports::Transport::icmp, winports::Transport::icmpv6,
        winports::Transport::gre, winports::Transport::esp, winports::Transport::ah}) {
    EXPECT_EQ(winports::parse_transport(winports::to_string(t)), t);
  }
  EXPECT_EQ(winports::parse_transport("TCP"), winports::Transport::tcp);
  EXPECT_FALSE(winports::parse_transport("upd"));
  EXPECT_EQ(winports::ip_protocol_number(winports::Transport::esp), 50);
  EXPECT_EQ(winports::ip_protocol_number(winports::Transport::gre), 47);
}
