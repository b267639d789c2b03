#include "winports/probe/discover.hpp"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>

#include "winports/probe/messages.hpp"

namespace winports::probe {
namespace {

constexpr int kClassIn = 1, kTypeSrv = 33;

std::string normalized_host(std::string_view host) {
  std::string out(host);
  if (!out.empty() && out.back() == '.') out.pop_back();
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return out;
}

struct SrvQuery {
  std::string name;
  int status = ARES_SUCCESS;
  std::vector<SrvRecord> records;
};

struct AddressQuery {
  std::string host;
  int status = ARES_SUCCESS;
  std::vector<Network> addresses;
};

void on_srv(void* arg, int status, int /*timeouts*/, unsigned char* answer, int length) {
  auto* q = static_cast<SrvQuery*>(arg);
  q->status = status;
  if (status != ARES_SUCCESS) return;
  ares_srv_reply* reply = nullptr;
  // c-ares parses the DNS message: the one parser of outside input here is a packaged library's.
  q->status = ares_parse_srv_reply(answer, length, &reply);
  for (auto* r = reply; r; r = r->next)
    q->records.push_back({q->name, normalized_host(r->host), r->port, r->priority, r->weight});
  if (reply) ares_free_data(reply);
}

void on_addresses(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto* q = static_cast<AddressQuery*>(arg);
  q->status = status;
  if (!result) return;
  for (auto* node = result->nodes; node; node = node->ai_next) {
    Network n;
    if (node->ai_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(node->ai_addr);
      std::memcpy(n.bytes.data(), &sin->sin_addr, 4);
    } else if (node->ai_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(node->ai_addr);
      n.family = 6, n.prefix = 128;
      std::memcpy(n.bytes.data(), &sin6->sin6_addr, 16);
    } else {
      continue;
    }
    if (std::find(q->addresses.begin(), q->addresses.end(), n) == q->addresses.end()) q->addresses.push_back(n);
  }
  ares_freeaddrinfo(result);
}

// Drives c-ares' sockets until every query has called back (c-ares bounds each query by its own
// timeout and tries).
void wait_for(ares_channel channel) {
  for (;;) {
    ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
    const int mask = ares_getsock(channel, sockets, ARES_GETSOCK_MAXNUM);
    std::vector<pollfd> fds;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      short events = 0;
      if (ARES_GETSOCK_READABLE(mask, i)) events |= POLLIN;
      if (ARES_GETSOCK_WRITABLE(mask, i)) events |= POLLOUT;
      if (events) fds.push_back({sockets[i], events, 0});
    }
    if (fds.empty()) return;
    timeval limit{1, 0}, tv{};
    const timeval* next = ares_timeout(channel, &limit, &tv);
    const int ms = static_cast<int>(next->tv_sec * 1000 + next->tv_usec / 1000);
    if (poll(fds.data(), fds.size(), ms) < 0 && errno != EINTR) return;
    bool any = false;
    for (const auto& p : fds) {
      if (!p.revents) continue;
      any = true;
      ares_process_fd(channel, (p.revents & (POLLIN | POLLERR | POLLHUP)) ? p.fd : ARES_SOCKET_BAD,
                      (p.revents & POLLOUT) ? p.fd : ARES_SOCKET_BAD);
    }
    if (!any) ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts and retries
  }
}

struct Channel {
  ares_channel channel = nullptr;
  ~Channel() {
    if (channel) ares_destroy(channel);
  }
};

}  // namespace

bool DomainController::listed_as(std::string_view prefix) const {
  return std::any_of(records.begin(), records.end(),
                     [&](const SrvRecord& r) { return r.name.compare(0, prefix.size(), prefix) == 0; });
}

const std::vector<std::string_view>& dc_srv_prefixes() {
  static const std::vector<std::string_view> prefixes = {"_ldap._tcp.dc._msdcs", "_kerberos._tcp", "_gc._tcp"};
  return prefixes;
}

Result<Discovery> discover_domain(std::string_view domain_text, const DiscoverOptions& options) {
  const std::string domain = normalized_host(domain_text);
  if (domain.empty() || domain.find_first_of(" \t/\\") != std::string::npos)
    return Error{"", 0, 0, "DOMAIN", msg::discover_not_a_domain(domain_text)};
  static const int library = ares_library_init(ARES_LIB_INIT_ALL);
  if (library != ARES_SUCCESS) return Error{"", 0, 0, "DOMAIN", std::string("c-ares: ") + ares_strerror(library)};

  ares_options ao{};
  ao.timeout = static_cast<int>(options.timeout.count());
  ao.tries = options.tries;
  Channel ch;
  if (int rc = ares_init_options(&ch.channel, &ao, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES); rc != ARES_SUCCESS)
    return Error{"", 0, 0, "DOMAIN", std::string("c-ares: ") + ares_strerror(rc)};
  if (!options.servers.empty()) {
    std::string csv;
    for (const auto& s : options.servers) csv += (csv.empty() ? "" : ",") + s;
    if (int rc = ares_set_servers_ports_csv(ch.channel, csv.c_str()); rc != ARES_SUCCESS)
      return Error{"", 0, 0, "--dns-server", "'" + csv + "': " + ares_strerror(rc)};
  }

  std::vector<SrvQuery> srv;
  for (auto prefix : dc_srv_prefixes()) srv.push_back({std::string(prefix) + "." + domain, ARES_SUCCESS, {}});
  for (auto& q : srv) ares_query(ch.channel, q.name.c_str(), kClassIn, kTypeSrv, on_srv, &q);
  wait_for(ch.channel);

  Discovery out;
  std::map<std::string, DomainController> by_host;
  bool any_answer = false;
  std::string failure;
  for (const auto& q : srv) {
    if (q.status == ARES_SUCCESS || q.status == ARES_ENOTFOUND || q.status == ARES_ENODATA) any_answer = true;
    if (q.status != ARES_SUCCESS) {
      auto why = q.name + ": " + ares_strerror(q.status);  // c-ares' reason, in its words
      out.notes.push_back({why, why});
      failure = ares_strerror(q.status);
    }
    for (const auto& r : q.records) {
      auto& dc = by_host[r.target];
      dc.host = r.target;
      dc.records.push_back(r);
    }
  }
  if (!any_answer) return Error{"", 0, 0, "DOMAIN", msg::discover_no_answer(domain, failure)};
  if (by_host.empty()) return Error{"", 0, 0, "DOMAIN", msg::discover_no_srv(domain)};

  std::vector<AddressQuery> addresses;
  addresses.reserve(by_host.size());
  for (const auto& [host, dc] : by_host) addresses.push_back({host, ARES_SUCCESS, {}});
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  for (auto& q : addresses) ares_getaddrinfo(ch.channel, q.host.c_str(), nullptr, &hints, on_addresses, &q);
  wait_for(ch.channel);
  for (auto& q : addresses) {
    auto& dc = by_host[q.host];
    dc.addresses = std::move(q.addresses);
    std::sort(dc.addresses.begin(), dc.addresses.end());
    if (dc.addresses.empty()) out.notes.push_back(msg::discover_no_address(q.host, ares_strerror(q.status)));
  }
  for (auto& [host, dc] : by_host) out.controllers.push_back(std::move(dc));
  auto best = [](const DomainController& dc) {
    std::uint16_t p = 0xffff;
    for (const auto& r : dc.records) p = std::min(p, r.priority);
    return p;
  };
  std::stable_sort(out.controllers.begin(), out.controllers.end(),
                   [&](const auto& a, const auto& b) { return best(a) < best(b); });
  return out;
}

}  // namespace winports::probe
