#include "winports/core/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "winports/core/messages.hpp"

namespace winports {
namespace {

namespace fs = std::filesystem;

// Linux's own limit on symlinks followed while resolving one path.
constexpr int kMaxSymlinkHops = 40;

// The system's own reason (strerror) inside the message, in both languages.
Error system_error(const fs::path& path, Msg what, int err) {
  return Error{path.string(), 0, 0, "", said(what, {std::strerror(err)})};
}

Status write_all(int fd, const fs::path& path, std::string_view content) {
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    auto n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return system_error(path, msg::file_write_failed, errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return ok_status();
}

// Opens `path` (which exists and is not to be replaced) and writes into it.
Status write_through(const fs::path& path, std::string_view content, int extra_flags) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY | extra_flags);
  if (fd < 0) return system_error(path, msg::file_cannot_open, errno);
  auto st = write_all(fd, path, content);
  if (::close(fd) != 0 && st) return system_error(path, msg::file_write_failed, errno);
  return st;
}

mode_t creation_mode() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

// A temporary file beside `target`, renamed over it; `old` describes the file it replaces (if any).
Status replace_atomically(const fs::path& target, std::string_view content, const struct stat* old) {
  auto dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return system_error(target, msg::file_cannot_create_temp, errno);
  auto fail = [&](Error e) -> Status {
    ::close(fd);
    ::unlink(tmpl.c_str());
    return e;
  };
  if (auto st = write_all(fd, target, content); !st) return fail(st.error());
  if (old) {
    // As root the replacement would otherwise belong to root; as a user, chown of another's
    // file fails and the file becomes the user's, which is what a rename by that user means.
    if (::fchown(fd, old->st_uid, old->st_gid) != 0 && errno != EPERM)
      return fail(system_error(target, msg::file_cannot_keep_owner, errno));
    if (::fchmod(fd, old->st_mode & 07777) != 0) return fail(system_error(target, msg::file_cannot_keep_mode, errno));
  } else if (::fchmod(fd, creation_mode()) != 0) {
    return fail(system_error(target, msg::file_cannot_set_mode, errno));
  }
  if (::fsync(fd) != 0) return fail(system_error(target, msg::file_write_failed, errno));
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return system_error(target, msg::file_write_failed, err);
  }
  if (::rename(tmpl.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return system_error(target, msg::file_cannot_rename, err);
  }
  return ok_status();
}

bool is_proc_path(const fs::path& p) {
  auto it = p.begin();
  return it != p.end() && *it == "/" && ++it != p.end() && *it == "proc";
}

// Where a chain of symlinks ends. A hop into /proc (`/dev/stdout` → `/proc/self/fd/1`) is a
// magic link whose text ("pipe:[123]") is not a path: `through_proc` says to write through it.
struct Resolved {
  fs::path target;
  bool through_proc = false;
};

Result<Resolved> resolve_links(const fs::path& path) {
  fs::path current = path;
  for (int hop = 0; hop < kMaxSymlinkHops; ++hop) {
    struct stat st {};
    if (::lstat(current.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return Resolved{current, false};
    if (is_proc_path(fs::absolute(current))) return Resolved{current, true};
    std::string text(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 256) + 1, '\0');
    auto n = ::readlink(current.c_str(), text.data(), text.size());
    if (n < 0) return system_error(path, msg::file_cannot_read_link, errno);
    text.resize(static_cast<std::size_t>(n));
    fs::path next(text);
    current = next.is_absolute() ? next : current.parent_path() / next;
  }
  return system_error(path, msg::file_cannot_follow_link, ELOOP);
}

}  // namespace

Status write_output(const fs::path& path, std::string_view content) {
  auto resolved = resolve_links(path);
  if (!resolved) return resolved.error();
  const fs::path& target = resolved->target;
  if (resolved->through_proc) {
    // stdout redirected to a file by the shell: append, so `>>` keeps what is there and `>`
    // (already truncated by the shell) gets just this content.
    struct stat st {};
    bool regular = ::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    return write_through(target, content, regular ? O_APPEND : 0);
  }
  struct stat st {};
  if (::lstat(target.c_str(), &st) != 0) {
    if (errno == ENOENT) return replace_atomically(target, content, nullptr);
    return system_error(path, msg::file_cannot_write, errno);
  }
  if (S_ISREG(st.st_mode)) {
    // Renaming would cut the other names of the file loose with the old content.
    if (st.st_nlink > 1) return write_through(target, content, O_TRUNC);
    return replace_atomically(target, content, &st);
  }
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) return write_through(target, content, 0);
  if (S_ISDIR(st.st_mode)) return system_error(path, msg::file_cannot_write, EISDIR);
  return Error{path.string(), 0, 0, "", msg::file_not_writable_kind()};
}

Result<std::string> read_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return system_error(path, msg::file_cannot_read, errno);
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return system_error(path, msg::file_cannot_read, err);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<SourceFile> read_source_file(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return SourceFile{path.string(), std::move(*text)};
}

}  // namespace winports
