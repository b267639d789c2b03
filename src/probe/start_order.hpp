#pragma once
// The order a sweep's probes start in (prober.cpp), apart so that it can be tested alone.
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "winports/probe/prober.hpp"

namespace winports::probe {

// The order probes start in: the requests' own, except that once a port has gone unanswered on one
// host, its probes of the hosts not yet probed start next. A firewall drops a port for many hosts
// alike, and a silent probe lasts its whole patience: started early, those waits overlap the rest of
// the sweep instead of trailing it (the bench lab's 256 x 12 TCP ports: see bench/check_vs_nmap.sh).
class StartOrder {
 public:
  explicit StartOrder(const std::vector<Request>& requests) : started_(requests.size(), false), left_(requests.size()) {
    for (std::size_t i = 0; i < requests.size(); ++i) by_port_[key(requests[i])].push_back(i);
  }
  [[nodiscard]] bool done() const { return left_ == 0; }
  // The next request to start; only while !done().
  std::size_t next() {
    while (!ahead_.empty()) {
      auto i = ahead_.front();
      ahead_.pop_front();
      if (!started_[i]) return take(i);
    }
    while (started_[cursor_]) ++cursor_;
    return take(cursor_);
  }
  // A probe of `r` heard nothing: the port's other probes go first (once per port).
  void went_silent(const Request& r) {
    auto it = by_port_.find(key(r));
    if (it == by_port_.end()) return;
    for (auto i : it->second)
      if (!started_[i]) ahead_.push_back(i);
    by_port_.erase(it);
  }

 private:
  static std::uint32_t key(const Request& r) { return static_cast<std::uint32_t>(r.transport) << 16 | r.port; }
  std::size_t take(std::size_t i) {
    started_[i] = true;
    --left_;
    return i;
  }
  std::vector<bool> started_;
  std::size_t left_, cursor_ = 0;
  std::deque<std::size_t> ahead_;
  std::unordered_map<std::uint32_t, std::vector<std::size_t>> by_port_;
};

}  // namespace winports::probe
