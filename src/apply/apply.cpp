// winports apply: save what the plan replaces, load the plan, and leave a detached reverter behind.
// The reverter is a small shell script winports writes and starts in its own session (setsid): it
// outlives the terminal, the SSH connection and winports itself, needs nothing of winports to run,
// and an administrator can read what it will do (`cat /run/winports/reverter.sh`).
#include "winports/apply/apply.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "steps.hpp"
#include "winports/apply/messages.hpp"
#include "winports/core/file.hpp"

extern char** environ;

namespace winports::apply {
namespace {

namespace fs = std::filesystem;

long now() {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

// Runs a program (found on PATH) with its output captured through a file in the run directory.
Result<Ran> run(const std::vector<std::string>& argv) {
  auto out_path = run_dir() + "/last-command.out";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Error{argv[0], 0, 0, "apply", msg::apply_cannot_run(argv[0], std::strerror(rc))};
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Ran r;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (auto text = read_file(out_path)) r.output = *text;
  return r;
}

namespace {

bool alive(long pid) { return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

std::optional<Pending> read_pending(const std::string& path) {
  std::ifstream in(path);
  Pending p;
  if (!(in >> p.reverter >> p.deadline >> p.site)) return std::nullopt;
  return p;
}

Status write_atomically(const std::string& path, const std::string& text) { return write_output(path, text); }

// The reverter: waits for the deadline, exits quietly when confirmed, else restores the saved state.
std::string reverter_script(const std::string& dir, long deadline) {
  std::ostringstream s;
  s << "#!/bin/sh\n"
       "# winports apply: restores what the plan replaced unless `winports apply --confirm` comes first.\n"
       "# Started in its own session, so a closed terminal or a dropped SSH connection does not stop it.\n"
       "trap '' HUP INT\n"
    << "dir='" << dir << "'\n"
    << "deadline=" << deadline << "\n"
    << "while [ \"$(date +%s)\" -lt \"$deadline\" ]; do\n"
       "  if [ -e \"$dir/confirmed\" ]; then rm -f \"$dir/confirmed\" \"$dir/pending\"; exit 0; fi\n"
       "  sleep 0.2\n"
       "done\n"
       "if [ -e \"$dir/confirmed\" ]; then rm -f \"$dir/confirmed\" \"$dir/pending\"; exit 0; fi\n"
       "if sh \"$dir/revert.sh\" >\"$dir/revert.log\" 2>&1; then echo reverted >>\"$dir/revert.log\";\n"
       "else echo 'revert FAILED' >>\"$dir/revert.log\"; fi\n"
       "rm -f \"$dir/pending\"\n";
  return s.str();
}

}  // namespace

std::string run_dir() {
  const char* dir = std::getenv("WINPORTS_RUN_DIR");
  return dir && *dir ? dir : "/run/winports";
}

std::optional<Pending> pending() {
  auto p = read_pending(run_dir() + "/pending");
  if (!p || !alive(p->reverter)) return std::nullopt;
  return p;
}

Result<Pending> apply_plan(const std::string& site, Format format, const std::string& plan_text, int seconds) {
  auto dir = run_dir();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{dir, 0, 0, "apply", msg::apply_cannot_run("mkdir", ec.message())};
  auto lock = dir + "/pending";
  if (auto p = read_pending(lock); p && alive(p->reverter))
    return Error{
        lock, 0, 0, "apply",
        msg::apply_waiting(p->site, std::to_string(p->reverter), std::to_string(std::max(0L, p->deadline - now())))};
  fs::remove(lock, ec);  // a stale one: its process is gone
  // The lock first, with this process's pid: a second apply started now is refused.
  int fd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Error{lock, 0, 0, "apply", msg::apply_waiting(site, "?", "?")};
  auto mine = std::to_string(getpid()) + " " + std::to_string(now() + seconds) + " " + site + "\n";
  if (::write(fd, mine.data(), mine.size()) < 0) {
  }
  ::close(fd);
  auto give_up = [&](Error e) -> Result<Pending> {
    fs::remove(lock, ec);
    return e;
  };
  for (const auto& name : {"revert.sh", "plan.out", "revert.log", "confirmed"}) fs::remove(dir + "/" + name, ec);
  // What puts back exactly what the plan replaces, made (and for nft checked) before anything changes.
  auto revert = format == Format::nftables ? nft_revert(plan_text) : iptables_revert(plan_text);
  if (!revert) return give_up(revert.error());
  if (auto st = write_output(dir + "/revert.sh", *revert); !st) return give_up(st.error());
  auto plan_file = dir + "/plan.out";
  if (auto st = write_output(plan_file, plan_text); !st) return give_up(st.error());
  auto loaded = format == Format::nftables ? run({"nft", "-f", plan_file}) : run({"sh", plan_file});
  if (!loaded) return give_up(loaded.error());
  if (loaded->status != 0) {
    // A script may have stopped half way (nft never does): put back what was there.
    if (format != Format::nftables) (void)run({"sh", dir + "/revert.sh"});
    return give_up(Error{"plan", 0, 0, "apply", msg::apply_nft_failed(loaded->output)});
  }

  long deadline = now() + seconds;
  if (auto st = write_atomically(dir + "/reverter.sh", reverter_script(dir, deadline)); !st) return give_up(st.error());
  pid_t child = fork();
  if (child < 0) {
    (void)run({"sh", dir + "/revert.sh"});  // no reverter: put it back now
    return give_up(Error{dir, 0, 0, "apply", msg::apply_cannot_run("fork", std::strerror(errno))});
  }
  if (child == 0) {
    // The reverter: its own session (no controlling terminal, no SIGHUP from the one that started
    // it), stdio away from the terminal.
    setsid();
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
    }
    auto script = dir + "/reverter.sh";
    execl("/bin/sh", "sh", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  Pending p{child, site, deadline};
  auto text = std::to_string(p.reverter) + " " + std::to_string(p.deadline) + " " + site + "\n";
  if (auto st = write_atomically(lock, text); !st) return st.error();
  return p;
}

Status confirm() {
  auto dir = run_dir();
  auto p = pending();
  if (!p) return Error{dir + "/pending", 0, 0, "--confirm", msg::apply_nothing_pending()};
  if (auto st = write_atomically(dir + "/confirmed", "confirmed\n"); !st) return st;
  // The reverter looks every 0.2 s; when it has gone, it either saw the confirmation or reverted.
  // (When this process started it, it is reaped here: a zombie still answers kill(pid, 0).)
  for (int i = 0; i < 100; ++i) {
    waitpid(static_cast<pid_t>(p->reverter), nullptr, WNOHANG);
    if (!alive(p->reverter)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (alive(p->reverter)) return Error{dir, 0, 0, "--confirm", msg::apply_nothing_pending()};
  if (auto log = read_file(dir + "/revert.log"); log && log->find("reverted") != std::string::npos)
    return Error{dir + "/revert.log", 0, 0, "--confirm", msg::apply_too_late()};
  return ok_status();
}

}  // namespace winports::apply
