#pragma once
// A value worked out once per key and kept for the rest of a run: the planner and the emitters
// meet the same (flow, host, service …) thousands of times in a large site, and what they derive
// from it does not change. Values stay where they were first made (a node-based map), so a
// reference returned here may be held while more keys are added.
#include <unordered_map>
#include <utility>

namespace winports {

template <class Key, class Value, class Hash = std::hash<Key>>
class Memo {
 public:
  // The value of `key`, made by `make()` the first time the key is asked for.
  template <class Make>
  const Value& operator()(const Key& key, Make&& make) {
    auto it = values_.find(key);
    if (it == values_.end()) it = values_.emplace(key, std::forward<Make>(make)()).first;
    return it->second;
  }

 private:
  std::unordered_map<Key, Value, Hash> values_;
};

// Two addresses (or an address and a small number) as one key.
struct PairHash {
  template <class A, class B>
  std::size_t operator()(const std::pair<A, B>& p) const {
    auto a = std::hash<A>{}(p.first);
    return a ^ (std::hash<B>{}(p.second) + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  }
};

}  // namespace winports
