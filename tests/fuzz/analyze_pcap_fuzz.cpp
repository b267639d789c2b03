// analyze's capture reader (libpcap, then the decoder and the flow table) on arbitrary files:
// the input is written to an in-memory file and read by its /proc path.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "winports/analyze/inputs.hpp"
#include "winports/catalog/embedded.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  int fd = memfd_create("capture", 0);
  if (fd < 0) return 0;
  if (write(fd, data, size) == static_cast<ssize_t>(size)) {
    winports::analyze::FlowTable table;
    if (winports::analyze::read_input("/proc/self/fd/" + std::to_string(fd), table))
      (void)table.flows(winports::catalog::builtin_catalog());
  }
  close(fd);
  return 0;
}
