// Network's text against the C library's: the IPv4 form is written by hand, so every address and
// prefix of a random sample must read as inet_ntop writes it, and parse back to itself.
#include "winports/core/network.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <random>

using winports::Network;
using winports::parse_network;

TEST(NetworkProperty, TextIsInetNtopsAndParsesBack) {
  std::mt19937 rng(832017);
  for (int i = 0; i < 20000; ++i) {
    Network n;
    n.family = i % 4 == 3 ? 6 : 4;
    const int full = n.family == 4 ? 32 : 128;
    // Each byte drawn from a small set or at random, so 0, 9, 10, 99, 100 and 255 all occur.
    for (std::size_t b = 0; b < (n.family == 4 ? 4u : 16u); ++b) {
      static constexpr std::uint8_t kEdges[] = {0, 1, 9, 10, 99, 100, 199, 200, 255};
      n.bytes[b] = rng() % 2 ? kEdges[rng() % std::size(kEdges)] : static_cast<std::uint8_t>(rng());
    }
    n.prefix = rng() % 3 ? full : static_cast<int>(rng() % (full + 1));
    // A network as a site names it: nothing set past its prefix (parse_network refuses that).
    for (int bit = n.prefix; bit < full; ++bit)
      n.bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    char address[INET6_ADDRSTRLEN] = {};
    ASSERT_NE(inet_ntop(n.family == 4 ? AF_INET : AF_INET6, n.bytes.data(), address, sizeof address), nullptr);
    std::string expected = address;
    if (n.prefix != full) expected += "/" + std::to_string(n.prefix);
    ASSERT_EQ(n.to_string(), expected);
    auto back = parse_network(expected);
    ASSERT_TRUE(back) << expected;
    EXPECT_EQ(back->to_string(), expected);
  }
}
