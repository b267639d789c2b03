#include "winports/core/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace winports {

Status write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string tmpl = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  int fd = mkstemp(tmpl.data());
  if (fd < 0)
    return Error{path.string(), 0, 0, "", std::string("cannot create temporary file: ") + std::strerror(errno)};
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    auto n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmpl.c_str());
      return Error{path.string(), 0, 0, "", std::string("write failed: ") + std::strerror(err)};
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  fchmod(fd, 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmpl.c_str());
    return Error{path.string(), 0, 0, "", std::string("write failed: ") + std::strerror(errno)};
  }
  if (std::rename(tmpl.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return Error{path.string(), 0, 0, "", std::string("cannot rename into place: ") + std::strerror(err)};
  }
  return ok_status();
}

}  // namespace winports
