// pcap and pcapng through libpcap, which reads both (and both byte orders, micro- and
// nanosecond timestamps). Loaded on first use like the report libraries: Debian's libpcap pulls
// in D-Bus and systemd, which no other command needs.
#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "decode.hpp"
#include "winports/analyze/inputs.hpp"
#include "winports/analyze/messages.hpp"
#include "winports/core/messages.hpp"
#include "winports/core/shared_library.hpp"

namespace winports::analyze {
namespace {

// The functions used, bound at run time (clang-format does not settle on macro bodies).
// clang-format off
#define PCAP_FUNCTIONS(X)                                                                          \
  X(pcap_fopen_offline) X(pcap_next_ex) X(pcap_datalink) X(pcap_close) X(pcap_geterr)
// clang-format on

WINPORTS_SHARED_API(Pcap, PCAP_FUNCTIONS, WINPORTS_PCAP_SONAME, "pcap")

// A read-only private mapping of a whole regular file, or nothing.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      size_ = static_cast<std::size_t>(st.st_size);
      void* at = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      data_ = at == MAP_FAILED ? nullptr : at;
      if (data_) madvise(data_, size_, MADV_SEQUENTIAL);
    }
    close(fd);
  }
  ~MappedFile() {
    if (data_) munmap(data_, size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  explicit operator bool() const { return data_ != nullptr; }
  [[nodiscard]] void* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }
  // Gives back the pages before `offset`, once they are a few MiB: memory then follows the
  // flows, not the size of the capture.
  void release_before(std::size_t offset) {
    constexpr std::size_t kStep = 8 << 20;
    if (!data_ || offset < released_ + kStep) return;
    std::size_t end = offset / kStep * kStep;
    madvise(static_cast<char*>(data_) + released_, end - released_, MADV_DONTNEED);
    released_ = end;
  }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0, released_ = 0;
};

}  // namespace

Status read_pcap(const std::string& path, FlowTable& table) {
  static const auto loaded = load_Pcap();
  if (!loaded) return loaded.error();
  const Pcap& pcap = *loaded;
  char error[PCAP_ERRBUF_SIZE] = "";
  // The file mapped and read through an unbuffered memory stream: libpcap reads record by record
  // through stdio, and from a file that costs a system call and two copies per buffer (measured:
  // a quarter of a 64 MiB analysis). Files that cannot be mapped (pipes) are read as files.
  MappedFile mapped(path);
  FILE* file = mapped ? fmemopen(mapped.data(), mapped.size(), "rb") : std::fopen(path.c_str(), "rb");
  if (!file) return Error{path, 0, 0, "capture", msg::file_cannot_read(std::strerror(errno))};
  std::setvbuf(file, nullptr, _IOFBF, 1 << 20);
  pcap_t* handle = pcap.pcap_fopen_offline(file, error);  // closes the file with the handle
  if (!handle) {
    std::fclose(file);
    return Error{path, 0, 0, "capture", error};
  }
  const int link = pcap.pcap_datalink(handle);
  if (!link_supported(link)) {
    pcap.pcap_close(handle);
    return Error{path, 0, 0, "link type", msg::analyze_link_type(std::to_string(link))};
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  Packet packet;
  Inner inner;
  std::uint64_t number = 0;
  for (;;) {
    int got = pcap.pcap_next_ex(handle, &header, &data);
    if (got == PCAP_ERROR_BREAK) break;  // the end of the file
    ++number;
    if (got != 1) {
      // libpcap stops at a truncated or corrupt record: what came before still counts.
      table.skip(msg::skip_unreadable(pcap.pcap_geterr(handle)),
                 [&] { return msg::skip_where_packet(path, std::to_string(number)); });
      break;
    }
    if (number % 4096 == 0) {
      if (long at = std::ftell(file); at > 0) mapped.release_before(static_cast<std::size_t>(at));
    }
    packet.time = static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
    if (Msg why = decode_frame(link, {data, header->caplen}, packet, &inner)) {
      table.skip(why, [&] { return msg::skip_where_packet(path, std::to_string(number)); });
      continue;
    }
    table.add(packet);
    // A tunnel's packets are connections too; what one inside it cannot be read is not a skip of
    // the frame, whose outer connection counted.
    for (int depth = 0; inner.kind != Inner::Kind::none && depth < kMaxTunnels; ++depth)
      if (!decode_inner(inner, packet)) table.add(packet);
  }
  pcap.pcap_close(handle);
  return ok_status();
}

}  // namespace winports::analyze
