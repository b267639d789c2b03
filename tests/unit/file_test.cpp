// write_output against every kind of path, all inside a private temporary directory: the point is
// that as root it must never replace a device node, FIFO or symlink with a regular file.
#include "winports/core/file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace fs = std::filesystem;
using winports::write_output;

namespace {

class WriteOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "winports-file-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static void put(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }
  static struct stat lstat_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st;
  }
  // Nothing but the named entries is left in the directory (no stray temporary files).
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}));
  }

  fs::path dir_;
};

TEST_F(WriteOutput, CreatesANewFileWithTheUmaskMode) {
  auto p = dir_ / "new.txt";
  mode_t old = ::umask(027);
  auto st = write_output(p, "hello\n");
  ::umask(old);
  ASSERT_TRUE(st) << st.error().to_string();
  EXPECT_EQ(slurp(p), "hello\n");
  EXPECT_EQ(lstat_of(p).st_mode & 07777, 0640u);
  EXPECT_EQ(entries(), 1u);
}

TEST_F(WriteOutput, ReplacesARegularFileAtomicallyKeepingItsMode) {
  auto p = dir_ / "plan.nft";
  put(p, "old content that is longer\n");
  ::chmod(p.c_str(), 0600);
  auto before = lstat_of(p);
  ASSERT_TRUE(write_output(p, "new\n"));
  auto after = lstat_of(p);
  EXPECT_EQ(slurp(p), "new\n");
  EXPECT_NE(before.st_ino, after.st_ino) << "a regular file is replaced by rename, not rewritten";
  EXPECT_EQ(after.st_mode & 07777, 0600u);
  EXPECT_EQ(entries(), 1u);
}

TEST_F(WriteOutput, WritesAHardLinkedFileInPlaceSoEveryNameSeesIt) {
  auto a = dir_ / "a.ps1";
  auto b = dir_ / "b.ps1";
  put(a, "old old old\n");
  fs::create_hard_link(a, b);
  auto before = lstat_of(a);
  ASSERT_TRUE(write_output(a, "new\n"));
  EXPECT_EQ(lstat_of(a).st_ino, before.st_ino);
  EXPECT_EQ(slurp(b), "new\n");
  EXPECT_EQ(lstat_of(b).st_nlink, 2u);
}

TEST_F(WriteOutput, FollowsASymlinkAndReplacesItsTarget) {
  fs::create_directory(dir_ / "real");
  auto target = dir_ / "real" / "rules.nft";
  put(target, "old\n");
  ::chmod(target.c_str(), 0640);
  // A relative link through a second link: both hops must be followed.
  fs::create_symlink("real/rules.nft", dir_ / "hop");
  fs::create_symlink("hop", dir_ / "link");
  ASSERT_TRUE(write_output(dir_ / "link", "new\n"));
  EXPECT_TRUE(S_ISLNK(lstat_of(dir_ / "link").st_mode));
  EXPECT_TRUE(S_ISLNK(lstat_of(dir_ / "hop").st_mode));
  EXPECT_EQ(fs::read_symlink(dir_ / "link"), "hop");
  EXPECT_EQ(slurp(target), "new\n");
  EXPECT_EQ(lstat_of(target).st_mode & 07777, 0640u);
  EXPECT_EQ(entries(), 3u);
  EXPECT_EQ(static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_ / "real"), fs::directory_iterator{})),
            1u);
}

TEST_F(WriteOutput, ADanglingSymlinkCreatesItsTarget) {
  fs::create_symlink("made.txt", dir_ / "link");
  ASSERT_TRUE(write_output(dir_ / "link", "x"));
  EXPECT_TRUE(S_ISLNK(lstat_of(dir_ / "link").st_mode));
  EXPECT_EQ(slurp(dir_ / "made.txt"), "x");
}

TEST_F(WriteOutput, ASymlinkLoopIsAnErrorNamingThePath) {
  fs::create_symlink("b", dir_ / "a");
  fs::create_symlink("a", dir_ / "b");
  auto st = write_output(dir_ / "a", "x");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().to_string().find("symbolic links"), std::string::npos) << st.error().to_string();
  EXPECT_NE(st.error().file.find("/a"), std::string::npos);
}

TEST_F(WriteOutput, WritesThroughAFifo) {
  auto p = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = slurp(p); });
  auto st = write_output(p, "through the fifo\n");
  reader.join();
  ASSERT_TRUE(st) << st.error().to_string();
  EXPECT_EQ(got, "through the fifo\n");
  EXPECT_TRUE(S_ISFIFO(lstat_of(p).st_mode));
  EXPECT_EQ(entries(), 1u);
}

TEST_F(WriteOutput, WritesThroughACharacterDevice) {
  // A private null device (1:3, as /dev/null) in the temporary directory; needs root.
  auto p = dir_ / "null";
  if (::mknod(p.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) GTEST_SKIP() << "mknod needs root";
  ASSERT_TRUE(write_output(p, "discarded"));
  auto st = lstat_of(p);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(1, 3));
  EXPECT_EQ(entries(), 1u);
  // Through a symlink, as `-o /dev/stdout` style links are used.
  fs::create_symlink("null", dir_ / "link");
  ASSERT_TRUE(write_output(dir_ / "link", "discarded"));
  EXPECT_TRUE(S_ISCHR(lstat_of(p).st_mode));
}

TEST_F(WriteOutput, WritesThroughAProcFdLinkLikeDevStdout) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  // `/dev/stdout` is a link to /proc/self/fd/1, whose own text ("pipe:[N]") is no path.
  fs::create_symlink("/proc/self/fd/" + std::to_string(fds[1]), dir_ / "stdout");
  auto st = write_output(dir_ / "stdout", "to the pipe");
  ::close(fds[1]);
  ASSERT_TRUE(st) << st.error().to_string();
  char buf[64] = {};
  auto n = ::read(fds[0], buf, sizeof buf);
  ::close(fds[0]);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n > 0 ? n : 0)), "to the pipe");
  EXPECT_TRUE(S_ISLNK(lstat_of(dir_ / "stdout").st_mode));
}

TEST_F(WriteOutput, AProcFdLinkToAFileAppendsToWhatTheShellOpened) {
  auto file = dir_ / "out.txt";
  put(file, "kept\n");
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  auto before = lstat_of(file);
  auto st = write_output("/proc/self/fd/" + std::to_string(fd), "added\n");
  ::close(fd);
  ASSERT_TRUE(st) << st.error().to_string();
  EXPECT_EQ(slurp(file), "kept\nadded\n");
  EXPECT_EQ(lstat_of(file).st_ino, before.st_ino);
}

TEST_F(WriteOutput, RefusesADirectoryAndLeavesNothing) {
  fs::create_directory(dir_ / "d");
  auto st = write_output(dir_ / "d", "x");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("Is a directory"), std::string::npos) << st.error().message;
  EXPECT_TRUE(fs::is_empty(dir_ / "d"));
}

TEST_F(WriteOutput, AMissingDirectorySaysWhy) {
  auto st = write_output(dir_ / "no" / "such" / "file", "x");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("No such file or directory"), std::string::npos) << st.error().message;
  EXPECT_EQ(entries(), 0u);
}

}  // namespace

TEST_F(WriteOutput, ReadFileGivesTheContentOrTheSystemsReason) {
  put(dir_ / "a.yaml", std::string(200000, 'x'));  // more than one read
  auto text = winports::read_file(dir_ / "a.yaml");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->size(), 200000u);
  auto missing = winports::read_file(dir_ / "missing.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "cannot read: No such file or directory");
  EXPECT_EQ(missing.error().file, (dir_ / "missing.yaml").string());
  auto directory = winports::read_file(dir_);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().message, "cannot read: Is a directory");
}
