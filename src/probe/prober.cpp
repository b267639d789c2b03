// The probe engine: one epoll loop, non-blocking sockets, a deadline heap, a token-bucket rate.
// TCP: a non-blocking connect; the handshake completing, a reset or silence decide. UDP: a
// connected socket with IP_RECVERR, so ICMP errors come back on the socket's error queue without
// raw sockets or root; a protocol probe's request goes out, and only a parsed reply proves more
// than "listening or filtered".
#include "winports/probe/prober.hpp"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <queue>

#include "start_order.hpp"
#include "winports/probe/messages.hpp"
#include "winports/probe/protocols.hpp"

namespace winports::probe {

std::string_view to_string(PortState s) {
  switch (s) {
    case PortState::listening:
      return "listening";
    case PortState::not_listening:
      return "not-listening";
    case PortState::filtered:
      return "filtered";
    case PortState::listening_or_filtered:
      return "listening-or-filtered";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

struct Slot {
  std::size_t index = 0;  // into requests/outcomes
  int fd = -1;
  int attempt = 0;
  unsigned generation = 0;  // invalidates stale heap entries when a slot is reused or retried
  std::uint16_t id = 0;
  const UdpProtocol* protocol = nullptr;
  std::unique_ptr<TcpConversation> conversation;  // after the handshake, when the port has a protocol
  std::vector<std::uint8_t> received;             // since the conversation's last request
  Clock::time_point started;
  Clock::time_point sent;  // this attempt's
  bool busy = false;
};

// A host's round-trip estimate (RFC 6298), from answers to first attempts only (Karn: a retry's
// answer may belong to either attempt).
struct RoundTrip {
  double srtt = 0, rttvar = 0;  // milliseconds
  bool known = false;
  void add(double ms) {
    if (!known) {
      srtt = ms, rttvar = ms / 2, known = true;
      return;
    }
    rttvar = 0.75 * rttvar + 0.25 * std::abs(srtt - ms);
    srtt = 0.875 * srtt + 0.125 * ms;
  }
};

struct Deadline {
  Clock::time_point at;
  std::size_t slot;
  unsigned generation;
  bool operator>(const Deadline& o) const { return at > o.at; }
  bool look = false;  // only a look: is the probe silent where its host answers others?
};

// When a first attempt is looked at for silence, long before its patience ends: its host's other
// ports answer within a few milliseconds on a LAN, so a probe still unanswered then is likely
// dropped, and its port's other probes are started first (StartOrder). Only the order changes.
constexpr std::chrono::milliseconds kSilenceLook{20};
constexpr int kStartsPerTurn = 64;

sockaddr_storage to_sockaddr(const Network& address, std::uint16_t port, socklen_t& length) {
  sockaddr_storage ss{};
  if (address.family == 4) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    std::memcpy(&a->sin_addr, address.bytes.data(), 4);
    length = sizeof(sockaddr_in);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    std::memcpy(&a->sin6_addr, address.bytes.data(), 16);
    length = sizeof(sockaddr_in6);
  }
  return ss;
}
sockaddr_storage to_sockaddr(const Request& r, socklen_t& length) { return to_sockaddr(r.address, r.port, length); }

bool same_host(const sockaddr_storage& from, const Request& r) {
  if (from.ss_family == AF_INET && r.address.family == 4)
    return std::memcmp(&reinterpret_cast<const sockaddr_in&>(from).sin_addr, r.address.bytes.data(), 4) == 0;
  if (from.ss_family == AF_INET6 && r.address.family == 6)
    return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(from).sin6_addr, r.address.bytes.data(), 16) == 0;
  return false;
}

// An errno from connect or a UDP socket, as a verdict.
std::pair<PortState, LocalizedText> classify(int error) {
  switch (error) {
    case ECONNREFUSED:
      return {PortState::not_listening, msg::ev_refused()};
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EACCES:
    case EPERM:
      return {PortState::filtered, msg::ev_icmp_unreachable_because(std::strerror(error))};
    default:
      return {PortState::filtered, msg::ev_error(std::strerror(error))};
  }
}

// The ICMP error queued on a UDP socket, with the type and code it carried.
std::optional<std::pair<PortState, LocalizedText>> icmp_error(int fd) {
  char control[512];
  char data[64];
  iovec iov{data, sizeof data};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return std::nullopt;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
          (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
      continue;
    sock_extended_err ee;
    std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
    auto icmp = msg::ev_icmp_type_code(std::to_string(ee.ee_type), std::to_string(ee.ee_code));
    bool v4 = ee.ee_origin == SO_EE_ORIGIN_ICMP, v6 = ee.ee_origin == SO_EE_ORIGIN_ICMP6;
    if ((v4 && ee.ee_type == 3 && ee.ee_code == 3) || (v6 && ee.ee_type == 1 && ee.ee_code == 4))
      return std::pair{PortState::not_listening, msg::ev_icmp_port_unreachable()};
    if ((v4 && ee.ee_type == 3 && (ee.ee_code == 9 || ee.ee_code == 10 || ee.ee_code == 13)) ||
        (v6 && ee.ee_type == 1 && ee.ee_code == 1))
      return std::pair{PortState::filtered, msg::ev_icmp_prohibited(icmp)};
    if (v4 || v6) return std::pair{PortState::filtered, msg::ev_icmp_unreachable(icmp)};
    return classify(static_cast<int>(ee.ee_errno));
  }
  return std::nullopt;
}

void raise_fd_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

class Engine {
 public:
  Engine(const std::vector<Request>& requests, const Options& options)
      : requests_(requests), options_(options), order_(requests), outcomes_(requests.size()) {}

  Result<std::vector<Outcome>> run() {
    raise_fd_limit();
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    int in_flight_max = std::max(1, std::min<int>(options_.concurrency, static_cast<int>(limit.rlim_cur) - 64));
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) return Error{"", 0, 0, "probe", std::string("epoll_create1: ") + std::strerror(errno)};
    slots_.resize(static_cast<std::size_t>(in_flight_max));
    for (std::size_t i = 0; i < slots_.size(); ++i) free_.push_back(slots_.size() - 1 - i);
    const auto begin = Clock::now();
    std::vector<epoll_event> events(256);
    while (!order_.done() || in_flight_ > 0) {
      auto now = Clock::now();
      // A few starts per turn, then the answers and the deadlines: starting 1,024 probes in one go
      // held back every answer and every look for silence by the whole batch (the bench lab's silent
      // ports ended up to 475 ms after the start; 344 ms in turns of 64).
      for (int started = 0; started < kStartsPerTurn && !order_.done() && !free_.empty() && rate_allows(begin, now);
           ++started)
        start_new(order_.next(), now);
      int wait_ms = 50;
      if (!deadlines_.empty())
        wait_ms = static_cast<int>(std::clamp<long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadlines_.top().at - now).count() + 1, 0, 50));
      if (!order_.done() && options_.rate > 0) wait_ms = std::min(wait_ms, 5);
      if (!order_.done() && !free_.empty() && options_.rate <= 0) wait_ms = 0;  // more to start now
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), wait_ms);
      if (n < 0 && errno != EINTR) return Error{"", 0, 0, "probe", std::string("epoll_wait: ") + std::strerror(errno)};
      for (int i = 0; i < n; ++i) on_event(events[static_cast<std::size_t>(i)].data.u64, events[i].events);
      expire(Clock::now());
    }
    close(epoll_);
    return std::move(outcomes_);
  }

 private:
  bool rate_allows(Clock::time_point begin, Clock::time_point now) const {
    if (options_.rate <= 0) return true;
    double seconds = std::chrono::duration<double>(now - begin).count();
    return static_cast<double>(started_) < 1.0 + seconds * options_.rate;
  }

  void start_new(std::size_t index, Clock::time_point now) {
    auto s = free_.back();
    free_.pop_back();
    auto& slot = slots_[s];
    slot = Slot{
        index, -1,  0,   slot.generation + 1, static_cast<std::uint16_t>(index * 2654435761u >> 7), nullptr, {}, {},
        now,   now, true};
    outcomes_[index].request = requests_[index];
    ++in_flight_;
    attempt(s, now);
  }

  void attempt(std::size_t s, Clock::time_point now) {
    auto& slot = slots_[s];
    const auto& r = requests_[slot.index];
    ++started_;
    slot.generation++;
    const bool udp = r.transport == Transport::udp;
    const int family = r.address.family == 4 ? AF_INET : AF_INET6;
    if (slot.fd < 0) {
      slot.fd = socket(family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (slot.fd < 0)
        return finish(s, PortState::filtered, LocalizedText{{}, std::string("socket: ") + std::strerror(errno)});
      if (udp) {
        slot.protocol = options_.protocols ? udp_protocol(r.port) : nullptr;
        int on = 1;
        if (family == AF_INET)
          setsockopt(slot.fd, SOL_IP, IP_RECVERR, &on, sizeof on);
        else
          setsockopt(slot.fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof on);
      }
      if (r.source && r.source->family == r.address.family) {
        socklen_t source_length = 0;
        auto source = to_sockaddr(*r.source, 0, source_length);
        if (bind(slot.fd, reinterpret_cast<sockaddr*>(&source), source_length) < 0)
          return finish(s, PortState::filtered,
                        LocalizedText{{}, "bind " + r.source->to_string() + ": " + std::strerror(errno)});
      }
      socklen_t length = 0;
      auto address = to_sockaddr(r, length);
      if (udp && slot.protocol && slot.protocol->reply_from_any_port) {
        // Left unconnected: the reply comes from another port; on_event checks its address.
      } else if (connect(slot.fd, reinterpret_cast<sockaddr*>(&address), length) < 0 && errno != EINPROGRESS) {
        auto [status, detail] = classify(errno);
        return finish(s, status, detail);
      }
      epoll_event ev{};
      ev.events = udp ? EPOLLIN : EPOLLOUT;
      ev.data.u64 = s;
      epoll_ctl(epoll_, EPOLL_CTL_ADD, slot.fd, &ev);
    }
    if (udp) {
      auto payload = slot.protocol ? slot.protocol->request(slot.id, options_.hints) : std::vector<std::uint8_t>{};
      if (options_.trace && slot.protocol) options_.trace(r, true, slot.id, payload);
      socklen_t length = 0;
      auto address = to_sockaddr(r, length);
      if (sendto(slot.fd, payload.data(), payload.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&address), length) <
              0 &&
          errno != EAGAIN) {
        if (auto icmp = icmp_error(slot.fd)) return finish(s, icmp->first, icmp->second);
        auto [status, detail] = classify(errno);
        return finish(s, status, detail);
      }
    }
    slot.sent = now;
    deadlines_.push({now + std::min(options_.min_timeout, options_.timeout), s, slot.generation});
    if (slot.attempt == 0 && kSilenceLook < std::min(options_.min_timeout, options_.timeout))
      deadlines_.push({now + kSilenceLook, s, slot.generation, true});
  }

  // Something came back from the slot's host for this attempt.
  void heard(std::size_t s) {
    const auto& slot = slots_[s];
    if (slot.attempt != 0) return;
    rtt_[requests_[slot.index].address].add(
        std::chrono::duration<double, std::milli>(Clock::now() - slot.sent).count());
  }

  bool host_answered(std::size_t s) const {
    auto it = rtt_.find(requests_[slots_[s].index].address);
    return it != rtt_.end() && it->second.known;
  }

  // How long the slot's current attempt may wait in silence: the host's estimate once it has one.
  Clock::duration patience(std::size_t s) const {
    auto it = rtt_.find(requests_[slots_[s].index].address);
    if (it == rtt_.end() || !it->second.known) return options_.timeout;
    auto estimate = std::chrono::duration<double, std::milli>(it->second.srtt + 4 * it->second.rttvar);
    return std::clamp<Clock::duration>(std::chrono::duration_cast<Clock::duration>(estimate), options_.min_timeout,
                                       options_.timeout);
  }

  void on_event(std::size_t s, std::uint32_t events) {
    if (s >= slots_.size() || !slots_[s].busy) return;
    auto& slot = slots_[s];
    if (requests_[slot.index].transport == Transport::tcp) {
      if (slot.conversation) return converse(s);
      int error = 0;
      socklen_t length = sizeof error;
      getsockopt(slot.fd, SOL_SOCKET, SO_ERROR, &error, &length);
      heard(s);
      if (error == 0 && (events & EPOLLOUT)) return connected(s);
      auto [status, detail] = classify(error ? error : ECONNREFUSED);
      return finish(s, status, detail);
    }
    if (events & EPOLLERR)
      if (auto icmp = icmp_error(slot.fd)) return heard(s), finish(s, icmp->first, icmp->second);
    std::uint8_t buffer[2048];
    const auto& r = requests_[slot.index];
    for (;;) {
      sockaddr_storage from{};
      socklen_t from_length = sizeof from;
      auto got =
          recvfrom(slot.fd, buffer, sizeof buffer, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_length);
      if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (auto icmp = icmp_error(slot.fd)) return finish(s, icmp->first, icmp->second);
        auto [status, detail] = classify(errno);
        return finish(s, status, detail);
      }
      if (!same_host(from, r)) continue;  // an unconnected socket hears anyone
      heard(s);
      std::span<const std::uint8_t> reply(buffer, static_cast<std::size_t>(got));
      if (options_.trace) options_.trace(r, false, slot.id, reply);
      if (!slot.protocol) return finish(s, PortState::listening, msg::ev_udp_reply(std::to_string(got)));
      if (auto proved = slot.protocol->parse(reply, slot.id)) return finish(s, PortState::listening, *proved);
      // Not a reply to our request: keep waiting until the deadline.
    }
  }

  // The handshake completed: speak the port's protocol if it has one, else the handshake decides.
  void connected(std::size_t s) {
    auto& slot = slots_[s];
    const auto* protocol = options_.protocols ? tcp_protocol(requests_[slot.index].port) : nullptr;
    if (!protocol) return finish(s, PortState::listening, msg::ev_tcp_handshake());
    slot.conversation = protocol->start(options_.hints);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = s;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, slot.fd, &ev);
    send_request(s);
  }

  void send_request(std::size_t s) {
    auto& slot = slots_[s];
    auto request = slot.conversation->request();
    if (options_.trace) options_.trace(requests_[slot.index], true, 0, request);
    slot.received.clear();
    // Requests are a few hundred bytes: a fresh socket's send buffer takes them whole.
    if (send(slot.fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
      return finish(s, PortState::listening, msg::ev_tcp_then(msg::ev_send_failed(tcp_protocol_name(s))));
    slot.generation++;
    deadlines_.push({Clock::now() + options_.timeout, s, slot.generation});
  }

  const char* tcp_protocol_name(std::size_t s) const {
    const auto* p = tcp_protocol(requests_[slots_[s].index].port);
    return p ? p->name : "protocol";
  }

  void converse(std::size_t s) {
    auto& slot = slots_[s];
    std::uint8_t buffer[4096];
    // A server may write its reply and close at once: the data and the end of stream (or a reset)
    // then arrive in one wakeup, and the data read before them must be parsed before either counts.
    bool closed = false;
    for (;;) {
      auto got = recv(slot.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (got <= 0) {
        closed = true;
        break;
      }
      slot.received.insert(slot.received.end(), buffer, buffer + got);
      if (slot.received.size() > (1u << 20))
        return finish(s, PortState::listening, msg::ev_tcp_then(msg::ev_reply_too_long(tcp_protocol_name(s))));
    }
    auto step = slot.received.empty() ? Step{} : slot.conversation->receive(slot.received);
    if (options_.trace && (step.kind != Step::Kind::wait || (closed && !slot.received.empty())))
      options_.trace(requests_[slot.index], false, 0, slot.received);
    if (closed && (step.kind == Step::Kind::wait || step.kind == Step::Kind::send)) {
      return finish(s, PortState::listening,
                    msg::ev_tcp_then(slot.received.empty() ? msg::ev_closed_before_reply(tcp_protocol_name(s))
                                                           : msg::ev_closed_in_reply(tcp_protocol_name(s))));
    }
    switch (step.kind) {
      case Step::Kind::wait:
        return;
      case Step::Kind::send:
        return send_request(s);
      case Step::Kind::proved:
        return finish(s, PortState::listening, std::move(step.detail));
      case Step::Kind::failed:
        return finish(s, PortState::listening, msg::ev_tcp_then(step.detail));
    }
  }

  void expire(Clock::time_point now) {
    while (!deadlines_.empty() && deadlines_.top().at <= now) {
      auto d = deadlines_.top();
      deadlines_.pop();
      auto& slot = slots_[d.slot];
      if (!slot.busy || slot.generation != d.generation) continue;
      if (d.look) {
        if (!slot.conversation && host_answered(d.slot)) order_.went_silent(requests_[slot.index]);
        continue;
      }
      if (slot.conversation) {
        finish(d.slot, PortState::listening, msg::ev_tcp_then(msg::ev_no_protocol_reply(tcp_protocol_name(d.slot))));
        continue;
      }
      // Silence so far: wait on while the host's patience lasts. Without an estimate yet, look
      // again soon — another probe's answer may give one.
      auto until = slot.sent + patience(d.slot);
      if (until > now) {
        deadlines_.push({std::min(until, now + options_.min_timeout), d.slot, d.generation});
        continue;
      }
      order_.went_silent(requests_[slot.index]);
      if (slot.attempt < options_.retries) {
        ++slot.attempt;
        if (requests_[slot.index].transport == Transport::tcp) {
          epoll_ctl(epoll_, EPOLL_CTL_DEL, slot.fd, nullptr);
          close(slot.fd);
          slot.fd = -1;
        }
        attempt(d.slot, now);
        continue;
      }
      bool udp = requests_[slot.index].transport == Transport::udp;
      auto ms = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now - slot.started).count());
      auto attempts = slot.attempt ? msg::ev_attempts(std::to_string(slot.attempt + 1)) : msg::ev_one_attempt();
      finish(d.slot, udp ? PortState::listening_or_filtered : PortState::filtered,
             !udp            ? msg::ev_silent_tcp(ms, attempts)
             : slot.protocol ? msg::ev_silent_protocol(slot.protocol->name, ms, attempts)
                             : msg::ev_silent_udp(ms, attempts));
    }
  }

  void finish(std::size_t s, PortState status, LocalizedText detail) {
    auto& slot = slots_[s];
    auto& out = outcomes_[slot.index];
    out.status = status;
    out.detail = std::move(detail);
    out.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - slot.started);
    if (slot.conversation && !slot.conversation->endpoints.empty())
      endpoints_.push_back({slot.index, std::move(slot.conversation->endpoints)});
    if (slot.fd >= 0) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, slot.fd, nullptr);
      close(slot.fd);
    }
    slot.fd = -1;
    slot.busy = false;
    slot.conversation.reset();
    slot.received.clear();
    slot.generation++;
    free_.push_back(s);
    --in_flight_;
  }

  const std::vector<Request>& requests_;
  Options options_;
  StartOrder order_;

 public:
  std::vector<std::pair<std::size_t, std::vector<RpcEndpoint>>> endpoints_;  // request index → endpoints

 private:
  std::vector<Outcome> outcomes_;
  std::vector<Slot> slots_;
  std::vector<std::size_t> free_;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
  std::map<Network, RoundTrip> rtt_;
  int epoll_ = -1;
  int in_flight_ = 0;
  long long started_ = 0;
};

}  // namespace

Result<std::vector<Outcome>> run(const std::vector<Request>& requests, const Options& options) {
  Engine first(requests, options);
  auto outcomes = first.run();
  if (!outcomes || first.endpoints_.empty()) return outcomes;
  // Each endpoint port once, whatever number of interfaces share it.
  std::vector<Request> ports;
  for (const auto& [index, endpoints] : first.endpoints_)
    for (const auto& e : endpoints) {
      Request r{requests[index].address, Transport::tcp, e.port, requests[index].source};
      auto same = [&](const Request& x) { return x.address == r.address && x.port == r.port && x.source == r.source; };
      if (std::none_of(ports.begin(), ports.end(), same)) ports.push_back(r);
    }
  Options plain = options;
  plain.protocols = false;  // an endpoint's protocol is DCE/RPC for an interface we do not speak
  Engine second(ports, plain);
  auto probed = second.run();
  if (!probed) return probed.error();
  for (const auto& [index, endpoints] : first.endpoints_)
    for (const auto& e : endpoints)
      for (const auto& o : *probed)
        if (o.request.address == requests[index].address && o.request.port == e.port &&
            o.request.source == requests[index].source) {
          auto copy = o;
          copy.rpc = e;
          outcomes->push_back(std::move(copy));
        }
  return outcomes;
}

}  // namespace winports::probe
