#pragma once
// What the two capture readers share: the file mapped into memory, and one frame into the flow
// table. pcap_file.cpp reads classic pcap files where they lie in the mapping; pcap_reader.cpp reads
// every other capture (pcapng, the other byte order, old variants) through libpcap.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "decode.hpp"
#include "winports/analyze/messages.hpp"
#include "winports/core/result.hpp"

namespace winports::analyze {

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
  [[nodiscard]] std::span<const std::uint8_t> bytes() const { return {static_cast<const std::uint8_t*>(data_), size_}; }
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

// Frame `number` of the capture `path` into the table, with the connections of the tunnels it
// carries; a frame that cannot be decoded is a counted skip. `packet` and `inner` are the caller's
// to reuse from frame to frame.
inline void add_frame(FlowTable& table, int link, std::span<const std::uint8_t> frame, double time,
                      const std::string& path, std::uint64_t number, Packet& packet, Inner& inner) {
  packet.time = time;
  if (Msg why = decode_frame(link, frame, packet, &inner)) {
    table.skip(why, [&] { return msg::skip_where_packet(path, std::to_string(number)); });
    return;
  }
  table.add(packet);
  // A tunnel's packets are connections too; what one inside it cannot be read is not a skip of
  // the frame, whose outer connection counted.
  for (int depth = 0; inner.kind != Inner::Kind::none && depth < kMaxTunnels; ++depth)
    if (!decode_inner(inner, packet)) table.add(packet);
}

// Reads `file` when it is a classic pcap file this reader takes (see pcap_file.cpp); nothing when
// libpcap should read it.
std::optional<Status> read_pcap_in_place(MappedFile& file, const std::string& path, FlowTable& table);

}  // namespace winports::analyze
