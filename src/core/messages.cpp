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
      {Msg::plan_no_hosts, "access line {1}: '{2}' has no hosts", "access の {1} 行目: '{2}' にホストがない"},
      {Msg::plan_no_family, "access line {1}: {2} and {3} share no address family: no flow between them",
       "access の {1} 行目: {2} と {3} に共通のアドレスファミリーがない: 両者の間にフローはない"},
      {Msg::plan_role_refuses, "access line {1}: {2} is {3}: {4}; nothing opened for {5}",
       "access の {1} 行目: {2} は {3}: {4}。{5} には何も開かない"},
      {Msg::plan_serves_nothing_of_roles, "access line {1}: {2} serves nothing of its roles",
       "access の {1} 行目: {2} はロールのサービスを何も提供しない"},
      {Msg::plan_serves_nothing_of_profile, "access line {1}: {2} serves nothing of profile {3}",
       "access の {1} 行目: {2} はプロファイル {3} のサービスを何も提供しない"},
      {Msg::plan_reply_any_port, "{1}: replies come from another port ({2}); the firewall must track them",
       "{1}: 応答は別のポートから来る ({2})。ファイアウォールが接続を追跡する必要がある"},
      {Msg::plan_os_unknown, "OS unknown for {1}: both dynamic RPC ranges opened (set os:)",
       "{1} の OS が不明: 両方の動的 RPC 範囲を開いた (os: を設定)"},
      {Msg::plan_unreached_listener,
       "access line {1}: {2} also needs a host of role {3} for {4}, but no access entry from {2} reaches one",
       "access の {1} 行目: {2} は {4} のためにロール {3} のホストも必要だが、{2} からそこへ届く access "
       "エントリーがない"},
      {Msg::rpc_range_restricted, "restricted dynamic RPC range of {1} (rpc_dynamic_ports)",
       "{1} の制限された動的 RPC 範囲 (rpc_dynamic_ports)"},
      {Msg::rpc_range_both_eras, "both dynamic RPC ranges: the network mixes OS eras (kb_literal)",
       "両方の動的 RPC 範囲: ネットワークに新旧の OS が混在 (kb_literal)"},
      {Msg::rpc_range_os_unknown, "dynamic RPC range of {1} (OS unknown: both ranges)",
       "{1} の動的 RPC 範囲 (OS 不明: 両方の範囲)"},
      {Msg::rpc_range_of, "dynamic RPC range of {1} ({2})", "{1} の動的 RPC 範囲 ({2})"},
      {Msg::skip_listener_role, "its listener is a host of role {1}, not {2}",
       "リスナーはロール {1} のホストで、{2} ではない"},
      {Msg::skip_named_only, "opened only when an access entry names {1} in services:",
       "access エントリーの services: に {1} を挙げたときだけ開く"},
      {Msg::skip_encapsulated, "replaced by the encapsulated scenario", "カプセル化シナリオで置き換えられる"},
      {Msg::skip_optional, "optional in the KB", "KB では省略可能"},
      {Msg::skip_obsolete, "unused by current Windows: {1} ({2})", "現在の Windows は使わない: {1} ({2})"},
      {Msg::skip_obsolete_unless, "{1}; it applies only where {2}", "{1}。適用されるのは {2} の場合だけ"},
      {Msg::cond_os_unknown, "{1} (OS unknown)", "{1} (OS 不明)"},
      {Msg::cond_netbios_unset, "NetBIOS over TCP/IP: set settings.netbios",
       "NetBIOS over TCP/IP: settings.netbios を設定"},
      {Msg::cond_netbios_off, "NetBIOS over TCP/IP is off (settings.netbios: false)",
       "NetBIOS over TCP/IP は無効 (settings.netbios: false)"},
      {Msg::cond_winrm_unknown, "WinRM version: set settings.winrm_version or the host OS",
       "WinRM のバージョン: settings.winrm_version かホストの OS を設定"},
      {Msg::cond_feature_off, "{1} (not enabled in settings.features)", "{1} (settings.features で有効でない)"},
      {Msg::cond_scenario_off, "{1} (scenario not in use)", "{1} (このシナリオは使っていない)"},
      {Msg::cond_profile_other, "{1} (asked for as {2})", "{1} ({2} として要求)"},
      {Msg::yaml_expected_mapping, "expected a mapping", "マッピングが必要"},
      {Msg::yaml_unknown_key, "unknown key", "不明なキー"},
      {Msg::yaml_missing_key, "missing required key", "必須のキーがない"},
      {Msg::yaml_expected_text, "expected a text value", "テキストの値が必要"},
      {Msg::yaml_not_one_of, "'{1}' is not one of: {2}", "'{1}' は次のどれでもない: {2}"},
      {Msg::yaml_expected_bool, "expected true or false", "true か false が必要"},
      {Msg::yaml_expected_number, "expected a whole number", "整数が必要"},
      {Msg::yaml_out_of_range, "must be between {1} and {2}", "{1} から {2} の間にする"},
      {Msg::yaml_expected_list, "expected a list", "リストが必要"},
      {Msg::yaml_must_not_be_empty, "must not be empty", "空にできない"},
      {Msg::yaml_expected_ports, "expected a list of ports or \"lo-hi\" ranges",
       "ポートか \"lo-hi\" 範囲のリストが必要"},
      {Msg::yaml_not_a_port_range, "not a port (0-65535) or range lo-hi with lo <= hi",
       "ポート (0-65535) でも lo <= hi の範囲 lo-hi でもない"},
      {Msg::yaml_nesting, "nesting deeper than 64 levels", "入れ子が 64 段を超える"},
      {Msg::yaml_indentation, "indentation deeper than 128 columns", "インデントが 128 桁を超える"},
      {Msg::yaml_top_level, "expected a mapping at the top level", "最上位はマッピングにする"},
      {Msg::yaml_syntax, "YAML syntax: {1}", "YAML の構文: {1}"},
      {Msg::yaml_more_errors, "{1} more errors not shown", "ほかに {1} 件のエラー (表示省略)"},
      {Msg::site_unknown_role, "unknown role '{1}'", "不明なロール '{1}'"},
      {Msg::site_unknown_service, "unknown service '{1}'", "不明なサービス '{1}'"},
      {Msg::site_unknown_os, "unknown OS '{1}'", "不明な OS '{1}'"},
      {Msg::site_unknown_zone, "unknown zone '{1}'", "不明なゾーン '{1}'"},
      {Msg::site_unknown_profile, "unknown profile '{1}'", "不明なプロファイル '{1}'"},
      {Msg::site_unknown_feature, "unknown feature '{1}'", "不明な機能 '{1}'"},
      {Msg::site_unknown_scenario, "unknown scenario '{1}'", "不明なシナリオ '{1}'"},
      {Msg::site_static_rpc_clash, "port {1} is also {2}; static RPC ports must differ (Netlogon event 5809)",
       "ポート {1} は {2} でもある。静的 RPC ポートは別々にする (Netlogon イベント 5809)"},
      {Msg::site_no_family, "{1} ({2}) and {3} ({4}) share no address family: no rule can carry their traffic",
       "{1} ({2}) と {3} ({4}) に共通のアドレスファミリーがない: その通信を運べるルールはない"},
      {Msg::site_any_has_no_roles,
       "any (every address outside the site's zones) runs no roles a profile could use: name the services it serves, "
       "services: [...]",
       "any (サイトのどのゾーンにもないアドレス) にはプロファイルが使えるロールがない: 提供するサービスを services: "
       "[...] で挙げる"},
      {Msg::site_no_as_or_services,
       "give as: PROFILE or services: [...]; without either the entry would open every service of {1}'s roles",
       "as: PROFILE か services: [...] を指定する。どちらもなければ {1} のロールの全サービスが開く"},
      {Msg::site_profiles_that_fit, "; profiles that fit {1}: {2}", "。{1} に合うプロファイル: {2}"},
      {Msg::site_role_refuses, "{1} is {2}, which never serves {3}: {4}", "{1} は {2} で、{3} を提供しない: {4}"},
      {Msg::site_grants_nothing, "profile {1} ({2}) grants nothing on {3}, which serves {4}",
       "プロファイル {1} ({2}) は {3} で何も許可しない。そこで提供されるのは {4}"},
      {Msg::site_serves_nothing, "nothing", "何もない"},
      {Msg::site_expected_port_range, "expected a port range such as 50000-50999",
       "50000-50999 のようなポート範囲が必要"},
      {Msg::site_expected_one_port, "expected one port number (1-65535)", "ポート番号 (1-65535) を一つ指定する"},
      {Msg::site_any_reserved, "'any' is reserved: it names every address in no zone of the site",
       "'any' は予約語: サイトのどのゾーンにもないアドレスすべてを指す"},
      {Msg::site_expected_networks, "expected a non-empty list of networks", "ネットワークの空でないリストが必要"},
      {Msg::site_not_a_network, "not an IPv4/IPv6 network (address/prefix, host bits zero)",
       "IPv4/IPv6 ネットワークではない (アドレス/プレフィックス長、ホスト部は 0)"},
      {Msg::site_network_overlaps, "{1} overlaps {2} of zone '{3}' (line {4})",
       "{1} はゾーン '{3}' の {2} と重なる ({4} 行目)"},
      {Msg::site_not_asa_interface, "'{1}' is not an ASA interface name (nameif: letters, digits, - _ ., up to 48)",
       "'{1}' は ASA のインターフェース名ではない (nameif: 英字、数字、- _ .、48 文字まで)"},
      {Msg::site_zone_twice, "zone defined twice (line {1})", "ゾーンが二度定義されている ({1} 行目)"},
      {Msg::site_host_named_like_zone, "a host may not share its name with a zone",
       "ホストにゾーンと同じ名前は付けられない"},
      {Msg::site_expected_address, "expected a single IPv4 or IPv6 address",
       "IPv4 または IPv6 のアドレスを一つ指定する"},
      {Msg::site_outside_zone, "{1} is outside zone '{2}'", "{1} はゾーン '{2}' の外にある"},
      {Msg::site_host_twice, "host defined twice (line {1})", "ホストが二度定義されている ({1} 行目)"},
      {Msg::site_no_endpoint, "no zone, host or role named '{1}'", "'{1}' という名前のゾーン、ホスト、ロールはない"},
      {Msg::site_as_and_services, "give either as: or services:, not both", "as: と services: はどちらか一方だけ"},
      {Msg::site_expected_zones, "expected a mapping of zone name to {networks, os}",
       "ゾーン名から {networks, os} へのマッピングが必要"},
      {Msg::site_expected_hosts, "expected a mapping of host name to {address, zone, os, roles}",
       "ホスト名から {address, zone, os, roles} へのマッピングが必要"},
      {Msg::site_expected_access, "expected a list of {from, to, as}", "{from, to, as} のリストが必要"},
      {Msg::site_no_role_named, "no role named '{1}'", "'{1}' という名前のロールはない"},
      {Msg::site_no_host_with_role, "no host of the site has role '{1}'", "サイトに '{1}' ロールのホストはない"},
      {Msg::site_in_no_zone, "{1} is in no zone of the site", "{1} はサイトのどのゾーンにも入らない"},
      {Msg::pairs_more, "(+{1} more)", "(他 {1} 件)"},
      {Msg::warning_prefix, "warning", "警告"},
      {Msg::plan_undecided_count,
       "{1} requirement(s) left out because the file does not decide them (see --format json, \"skipped\")",
       "{1} 件の要件をファイルが決めていないため除外した (--format json の \"skipped\" を参照)"},
      {Msg::emit_asa_no_interface,
       "asa: {1} {2}: no rule, because the zone of {3} names no asa_interface while other zones do",
       "asa: {1} {2}: ルールなし。{3} のゾーンには asa_interface がなく、ほかのゾーンにはある"},
      {Msg::emit_asa_one_list,
       "asa: no zone names its asa_interface, so one access list holds every flow; bind it to the interface the site's "
       "traffic arrives on (the closing remark says how)",
       "asa: asa_interface を持つゾーンがないため、一つのアクセス "
       "リストがすべてのフローを持つ。サイトの通信が着くインターフェースに適用する (方法は末尾の remark にある)"},
      {Msg::emit_netsh_too_old,
       "netsh: no rules for {1} ({2}): netsh advfirewall needs Windows Vista / Windows Server 2008 or later; no "
       "host-firewall output exists for it",
       "netsh: {1} ({2}) のルールなし: netsh advfirewall は Windows Vista / Windows Server 2008 "
       "以降が必要。このホストのホスト ファイアウォール出力はない"},
      {Msg::emit_powershell_use_netsh,
       "powershell: no rules for {1} ({2}): the NetSecurity module needs Windows 8 / Windows Server 2012 or later; use "
       "--format netsh for it",
       "powershell: {1} ({2}) のルールなし: NetSecurity モジュールは Windows 8 / Windows Server 2012 "
       "以降が必要。このホストには --format netsh を使う"},
      {Msg::emit_powershell_none,
       "powershell: no rules for {1} ({2}): its Windows Firewall cannot be scripted by netsh advfirewall or "
       "NetSecurity; no host-firewall output exists for it",
       "powershell: {1} ({2}) のルールなし: その Windows ファイアウォールは netsh advfirewall でも NetSecurity "
       "でもスクリプト化できない。ホスト ファイアウォール出力はない"},
      {Msg::audit_summary,
       "{1} ({2}): {3} planned flows, {4} rules; {5} blocked, {6} with replies dropped, {7} beyond the plan, {8} rules "
       "never match, {9} constructs undecided",
       "{1} ({2}): 計画のフロー {3}、ルール {4}。ブロック {5}、応答の破棄 {6}、計画外 {7}、一致しないルール "
       "{8}、判定できない構文 {9}"},
      {Msg::analyze_counts, "{1} packets, {2} connections, {3} flows", "パケット {1}、接続 {2}、フロー {3}"},
      {Msg::analyze_skipped_count, ", {1} skipped", "、スキップ {1}"},
      {Msg::analyze_against_plan, "; {1} not allowed by the plan, {2} planned never observed",
       "。計画で許可されないもの {1}、計画にあって観測されないもの {2}"},
      {Msg::analyze_skipped, "skipped {1} × {2} (first: {3})", "スキップ {1} × {2} (最初: {3})"},
      {Msg::verify_summary,
       "{1} probed from {2}, {3} blocked{4}{5}, {6} refused, {7} unproven (UDP silence), {8} not probed",
       "{2} から {1} 件を検査: ブロック {3}{4}{5}、拒否 {6}、未証明 {7} (UDP の無応答)、未検査 {8}"},
      {Msg::verify_strict, " or refused (--strict)", " (--strict: 拒否を含む)"},
      {Msg::verify_breaks, " (breaks {1})", " ({1} が動かない)"},
      {Msg::verify_rpc_unchecked,
       "; dynamic RPC range not checked on {1}: the endpoint mapper (tcp/135) did not answer, so no endpoint was "
       "handed out to probe",
       "。{1} の動的 RPC 範囲は未検査: エンドポイント マッパー (tcp/135) "
       "が応答せず、検査するエンドポイントが得られなかった"},
      {Msg::verify_not_probed, "not probed: {1}", "未検査: {1}"},
      {Msg::cat_expected_conditions, "expected a list of conditions", "条件のリストが必要"},
      {Msg::cat_one_kind, "a condition names exactly one kind", "条件は種類を一つだけ挙げる"},
      {Msg::cat_at_least_one_value, "must name at least one value", "値を一つ以上挙げる"},
      {Msg::cat_unknown_os_version, "unknown OS version '{1}'", "不明な OS バージョン '{1}'"},
      {Msg::cat_unknown_value, "unknown {1} '{2}'", "不明な {1} '{2}'"},
      {Msg::cat_no_document, "no document '{1}' in documents.yaml", "documents.yaml に文書 '{1}' がない"},
      {Msg::cat_section_needed, "a service-table source needs the service's section: key",
       "サービス表の出典にはサービスの section: キーが必要"},
      {Msg::cat_not_transport, "not one of: tcp, udp, icmp, icmpv6, gre, esp, ah",
       "次のどれでもない: tcp, udp, icmp, icmpv6, gre, esp, ah"},
      {Msg::cat_ports_needed, "tcp and udp requirements need at least one port",
       "tcp と udp の要件にはポートが一つ以上必要"},
      {Msg::cat_no_ports, "this transport has no ports", "このトランスポートにポートはない"},
      {Msg::cat_no_note, "no note '{1}' in this file's notes:", "このファイルの notes: に注記 '{1}' がない"},
      {Msg::cat_expected_sources, "expected a non-empty list of sources", "出典の空でないリストが必要"},
      {Msg::cat_bad_id, "use lower-case letters, digits, '-' and '.'", "小文字、数字、'-'、'.' を使う"},
      {Msg::cat_id_not_file, "'{1}' does not match the file name '{2}.yaml'",
       "'{1}' がファイル名 '{2}.yaml' と一致しない"},
      {Msg::cat_expected_notes, "expected a mapping of note id to {ja, en}",
       "注記 ID から {ja, en} へのマッピングが必要"},
      {Msg::cat_no_general_note, "no note '{1}' in notes:", "notes: に注記 '{1}' がない"},
      {Msg::cat_expected_nonempty_list, "expected a non-empty list", "空でないリストが必要"},
      {Msg::cat_expected_roles, "expected a mapping of id to {names, services}",
       "ID から {names, services} へのマッピングが必要"},
      {Msg::cat_expected_refuses, "expected a mapping of profile id to {ja, en}",
       "プロファイル ID から {ja, en} へのマッピングが必要"},
      {Msg::cat_expected_by_os, "expected a list of {os, kind, services}", "{os, kind, services} のリストが必要"},
      {Msg::cat_expected_texts, "expected a mapping of id to {ja, en}", "ID から {ja, en} へのマッピングが必要"},
      {Msg::cat_expected_interfaces, "expected a mapping of UUID to interface",
       "UUID からインターフェースへのマッピングが必要"},
      {Msg::cat_expected_settings, "expected a mapping of site-file key to setting",
       "サイト ファイルのキーから設定へのマッピングが必要"},
      {Msg::cat_expected_documents, "expected a mapping of document id to {title, url}",
       "文書 ID から {title, url} へのマッピングが必要"},
      {Msg::cat_expected_uuid, "expected a lower-case UUID (8-4-4-4-12)", "小文字の UUID (8-4-4-4-12) が必要"},
      {Msg::cat_no_row_with_port, "no row of {1} has port {2}", "{1} にポート {2} の行がない"},
      {Msg::cat_only_replace, "only a 'replace' setting replaces a port", "ポートを置き換えるのは 'replace' 設定だけ"},
      {Msg::cat_expected_https, "expected an https:// address", "https:// のアドレスが必要"},
      {Msg::cat_already_defined, "service '{1}' is already defined in {2}", "サービス '{1}' は {2} で定義済み"},
      {Msg::cat_missing_file, "missing catalog file", "カタログ ファイルがない"},
      {Msg::cat_no_service_files, "no service files (*.yaml) found", "サービス ファイル (*.yaml) が見つからない"},
      {Msg::cat_not_directory, "not a directory", "ディレクトリではない"},
      {Msg::cat_no_catalog_files, "no catalog files (*.yaml, services/*.yaml, roles.yaml) found",
       "カタログ ファイル (*.yaml, services/*.yaml, roles.yaml) が見つからない"},
      {Msg::cat_duplicate_id, "duplicate service id '{1}'", "サービス ID '{1}' が重複"},
      {Msg::file_write_failed, "write failed: {1}", "書き込みに失敗: {1}"},
      {Msg::file_cannot_open, "cannot open for writing: {1}", "書き込み用に開けない: {1}"},
      {Msg::file_cannot_create_temp, "cannot create temporary file: {1}", "一時ファイルを作れない: {1}"},
      {Msg::file_cannot_keep_owner, "cannot keep owner: {1}", "所有者を保てない: {1}"},
      {Msg::file_cannot_keep_mode, "cannot keep mode: {1}", "モードを保てない: {1}"},
      {Msg::file_cannot_set_mode, "cannot set mode: {1}", "モードを設定できない: {1}"},
      {Msg::file_cannot_rename, "cannot rename into place: {1}", "置き換えの rename ができない: {1}"},
      {Msg::file_cannot_read_link, "cannot read symlink: {1}", "シンボリック リンクを読めない: {1}"},
      {Msg::file_cannot_follow_link, "cannot follow symlink: {1}", "シンボリック リンクをたどれない: {1}"},
      {Msg::file_cannot_write, "cannot write: {1}", "書き込めない: {1}"},
      {Msg::file_cannot_read, "cannot read: {1}", "読めない: {1}"},
      {Msg::file_not_writable_kind, "cannot write: not a file, device or FIFO",
       "書き込めない: ファイル、デバイス、FIFO のどれでもない"},
      {Msg::port_not_a_number, "{1} is not a port number (0-65535)", "{1} はポート番号 (0-65535) ではない"},
      {Msg::port_not_a_transport, "{1} is not tcp, udp, icmp, icmpv6, gre, esp or ah",
       "{1} は tcp、udp、icmp、icmpv6、gre、esp、ah のどれでもない"},
      {Msg::port_transport_has_none, "{1} has no ports", "{1} にポートはない"},
      {Msg::port_empty, "empty port", "ポートが空"},
      {Msg::port_needs_number, "give a port number with {1}", "{1} にはポート番号を付ける"},
      {Msg::cli_learn_needs_site, "needs --site SITE.yaml", "--site SITE.yaml が必要"},
      {Msg::cli_audit_args, "give the site file and at least one ruleset file",
       "サイト ファイルとルールセット ファイルを一つ以上指定する"},
      {Msg::cli_no_service, "no service '{1}'", "サービス '{1}' はない"},
      {Msg::cli_binary_format, "{1} is a binary format: give -o FILE", "{1} はバイナリ形式: -o FILE を指定する"},
      {Msg::cli_cannot_write, "cannot write", "書き込めない"},
  };
  return table;
}

namespace {

std::string_view text_of(Msg id, Lang lang) {
  const auto& table = message_table();
  // The table is in enum order (a test holds it so): the lookup is an index.
  auto i = static_cast<std::size_t>(id);
  if (i < table.size() && table[i].id == id) return lang == Lang::ja ? table[i].ja : table[i].en;
  auto it = std::find_if(table.begin(), table.end(), [&](const MessageText& m) { return m.id == id; });
  return it == table.end() ? std::string_view() : (lang == Lang::ja ? it->ja : it->en);
}

template <class Arg>
std::string filled(std::string_view text, std::initializer_list<Arg> args, std::string_view (*get)(const Arg&)) {
  std::string out;
  out.reserve(text.size() + 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    // {n}: the n-th argument (1-based); anything else is copied as it stands.
    if (text[i] == '{' && i + 2 < text.size() && text[i + 1] >= '1' && text[i + 1] <= '9' && text[i + 2] == '}') {
      auto n = static_cast<std::size_t>(text[i + 1] - '1');
      if (n < args.size()) out.append(get(*(args.begin() + n)));
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

}  // namespace

std::string say(Msg id, Lang lang, std::initializer_list<std::string_view> args) {
  return filled<std::string_view>(text_of(id, lang), args, [](const std::string_view& a) { return a; });
}

LocalizedText said(Msg id, std::initializer_list<MsgArg> args) {
  return {filled<MsgArg>(text_of(id, Lang::ja), args, [](const MsgArg& a) { return a.ja; }),
          filled<MsgArg>(text_of(id, Lang::en), args, [](const MsgArg& a) { return a.en; })};
}

}  // namespace winports
