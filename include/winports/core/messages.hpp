#pragma once
// The words a user reads, in both languages, from one table (src/core/messages.cpp): a message is
// named by its id and filled with its arguments ({1}, {2} …), so each language orders them as it
// needs. Texts that come from data (service names, KB rows, conditions) have their own ja/en.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "winports/core/text.hpp"

namespace winports {

enum class Msg {
  error_prefix,          // "error"
  did_you_mean,          // " (did you mean {1}?)"
  explain_allowed,       // ALLOWED {1} {2} {3}
  explain_not_allowed,   // NOT ALLOWED {1} -> {2} {3}
  explain_rpc_range,     // {1}: RPC endpoints are in the {2}, which does not hold {3}
  explain_left_out,      // left out: {1}
  explain_undecided,     // undecided: {1}
  explain_no_entry,      // no access entry from {1} to {2} grants anything (see access: in {3})
  explain_grants_other,  // the access entries from {1} to {2} grant {3}; none of these uses {4}
  port_collapsed,        // and {1} services whose wide ranges include {2} — --all lists them
  port_none,             // the catalog lists no service on that port
};

// The message in `lang`, its {n} replaced by args[n-1].
std::string say(Msg id, Lang lang, std::initializer_list<std::string_view> args = {});

// Every message, for the test that each has both languages and the same placeholders in each.
struct MessageText {
  Msg id;
  std::string_view en;
  std::string_view ja;
};
const std::vector<MessageText>& message_table();

}  // namespace winports
