#pragma once
// Loading a plan on this machine with automatic revert (`winports apply`), as iptables-apply and
// Junos' `commit confirmed` do: the previous state of exactly what the plan replaces (the site's
// nftables table, nothing else) is kept, the plan is loaded, and a detached process — its own
// session, so a dropped SSH connection (SIGHUP) does not take it down — restores that state unless
// the load is confirmed in time, from this terminal or from another session (`--confirm`). For the
// iptables script, what it replaces is the site's chains in each family and the jump to them.
#include <optional>
#include <string>

#include "winports/core/result.hpp"

namespace winports::apply {

// Where the pending apply is kept: $WINPORTS_RUN_DIR, else /run/winports (tmpfs: a reboot forgets
// it, as it forgets the ruleset).
std::string run_dir();

// The nftables table an nftables plan output replaces ("inet winports_branch_01"), read from it.
Result<std::string> nft_table_of(const std::string& plan_text);

// The nft input that puts `table` back as it is now: the table as `nft list table` prints it, or
// its absence. Runs nft.
Result<std::string> nft_revert_script(const std::string& table);

struct Pending {
  long reverter = 0;  // the detached process's pid
  std::string site;
  long deadline = 0;  // seconds since the epoch
};

// The apply that waits for confirmation, if any (a stale file of a process that is gone is none).
std::optional<Pending> pending();

enum class Format { nftables, iptables_script };

// Loads `plan_text` (nft -f, or sh for the iptables script) after saving what reverts it, and starts
// the detached reverter, which restores the saved state at `seconds` from now unless confirm() is
// called first. Refused while another apply waits. Nothing stays changed when saving or loading fails.
Result<Pending> apply_plan(const std::string& site, Format format, const std::string& plan_text, int seconds);

// Confirms the pending apply: the reverter exits without restoring. Waits until it has.
Status confirm();

}  // namespace winports::apply
