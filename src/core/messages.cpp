#include "winports/core/messages.hpp"

#include <algorithm>

namespace winports {

const std::vector<MessageText>& message_table() {
  static const std::vector<MessageText> table{
      {Msg::error_prefix, "error", "エラー"},
      {Msg::did_you_mean, " (did you mean {1}?)", " ({1} のことですか?)"},
      {Msg::explain_allowed, "ALLOWED {1} {2} {3}", "許可 {1} {2} {3}"},
      {Msg::explain_not_allowed, "NOT ALLOWED {1} -> {2} {3}", "不許可 {1} -> {2} {3}"},
      {Msg::explain_rpc_range, "{1}: RPC endpoints are in the {2}, which does not hold {3}",
       "{1}: RPC のエンドポイントは {2} にあり、{3} はその外"},
      {Msg::explain_left_out, "left out: {1}", "除外: {1}"},
      {Msg::explain_undecided, "undecided: {1}", "未決定: {1}"},
      {Msg::explain_no_entry, "no access entry from {1} to {2} grants anything (see access: in {3})",
       "{1} から {2} へ何かを許可する access エントリーがない ({3} の access: を参照)"},
      {Msg::explain_grants_other, "the access entries from {1} to {2} grant {3}; none of these uses {4}",
       "{1} から {2} への access エントリーが許可するのは {3}。どれも {4} を使わない"},
      {Msg::port_collapsed, "and {1} services whose wide ranges include {2} — --all lists them",
       "ほかに {1} 件のサービスの広い範囲 (動的 RPC 範囲など) が {2} を含む — --all で一覧"},
      {Msg::port_none, "the catalog lists no service on that port", "カタログにこのポートの記載はありません"},
  };
  return table;
}

std::string say(Msg id, Lang lang, std::initializer_list<std::string_view> args) {
  const auto& table = message_table();
  auto it = std::find_if(table.begin(), table.end(), [&](const MessageText& m) { return m.id == id; });
  std::string_view text = it == table.end() ? std::string_view() : (lang == Lang::ja ? it->ja : it->en);
  std::string out;
  out.reserve(text.size() + 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    // {n}: the n-th argument (1-based); anything else is copied as it stands.
    if (text[i] == '{' && i + 2 < text.size() && text[i + 1] >= '1' && text[i + 1] <= '9' && text[i + 2] == '}') {
      auto n = static_cast<std::size_t>(text[i + 1] - '1');
      if (n < args.size()) out.append(*(args.begin() + n));
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

}  // namespace winports
