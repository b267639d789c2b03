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
  // The rest read as the table says (src/core/messages.cpp): a plan's warnings, why a requirement
  // was left out, whose dynamic RPC range a flow opens, and the errors of every YAML input.
  plan_no_hosts,
  plan_no_family,
  plan_role_refuses,
  plan_serves_nothing_of_roles,
  plan_serves_nothing_of_profile,
  plan_reply_any_port,
  plan_os_unknown,
  plan_unreached_listener,
  rpc_range_restricted,
  rpc_range_both_eras,
  rpc_range_os_unknown,
  rpc_range_of,
  skip_listener_role,
  skip_named_only,
  skip_encapsulated,
  skip_optional,
  skip_obsolete,
  skip_obsolete_unless,
  cond_os_unknown,
  cond_netbios_unset,
  cond_netbios_off,
  cond_winrm_unknown,
  cond_feature_off,
  cond_scenario_off,
  cond_profile_other,
  yaml_expected_mapping,
  yaml_unknown_key,
  yaml_missing_key,
  yaml_expected_text,
  yaml_not_one_of,
  yaml_expected_bool,
  yaml_expected_number,
  yaml_out_of_range,
  yaml_expected_list,
  yaml_must_not_be_empty,
  yaml_expected_ports,
  yaml_not_a_port_range,
  yaml_nesting,
  yaml_indentation,
  yaml_top_level,
  yaml_syntax,
  yaml_more_errors,
  site_unknown_role,
  site_unknown_service,
  site_unknown_os,
  site_unknown_zone,
  site_unknown_profile,
  site_unknown_feature,
  site_unknown_scenario,
  site_static_rpc_clash,
  site_no_family,
  site_any_has_no_roles,
  site_no_as_or_services,
  site_profiles_that_fit,
  site_role_refuses,
  site_grants_nothing,
  site_serves_nothing,
  site_expected_port_range,
  site_expected_one_port,
  site_any_reserved,
  site_expected_networks,
  site_not_a_network,
  site_network_overlaps,
  site_not_asa_interface,
  site_zone_twice,
  site_host_named_like_zone,
  site_expected_address,
  site_outside_zone,
  site_host_twice,
  site_no_endpoint,
  site_as_and_services,
  site_expected_zones,
  site_expected_hosts,
  site_expected_access,
  site_no_role_named,
  site_no_host_with_role,
  site_in_no_zone,
  pairs_more,
  warning_prefix,
  plan_undecided_count,
  emit_asa_no_interface,
  emit_asa_one_list,
  emit_netsh_too_old,
  emit_powershell_use_netsh,
  emit_powershell_none,
  audit_summary,
  analyze_counts,
  analyze_skipped_count,
  analyze_against_plan,
  analyze_skipped,
  verify_summary,
  verify_strict,
  verify_breaks,
  verify_rpc_unchecked,
  verify_not_probed,
  cat_expected_conditions,
  cat_one_kind,
  cat_at_least_one_value,
  cat_unknown_os_version,
  cat_unknown_value,
  cat_no_document,
  cat_section_needed,
  cat_not_transport,
  cat_ports_needed,
  cat_no_ports,
  cat_no_note,
  cat_expected_sources,
  cat_bad_id,
  cat_id_not_file,
  cat_expected_notes,
  cat_no_general_note,
  cat_expected_nonempty_list,
  cat_expected_roles,
  cat_expected_refuses,
  cat_expected_by_os,
  cat_expected_texts,
  cat_expected_interfaces,
  cat_expected_settings,
  cat_expected_documents,
  cat_expected_uuid,
  cat_no_row_with_port,
  cat_only_replace,
  cat_expected_https,
  cat_already_defined,
  cat_missing_file,
  cat_no_service_files,
  cat_not_directory,
  cat_no_catalog_files,
  cat_duplicate_id,
  file_write_failed,
  file_cannot_open,
  file_cannot_create_temp,
  file_cannot_keep_owner,
  file_cannot_keep_mode,
  file_cannot_set_mode,
  file_cannot_rename,
  file_cannot_read_link,
  file_cannot_follow_link,
  file_cannot_write,
  file_cannot_read,
  file_not_writable_kind,
  port_not_a_number,
  port_not_a_transport,
  port_transport_has_none,
  port_empty,
  port_needs_number,
  cli_learn_needs_site,
  cli_audit_args,
  cli_no_service,
  cli_binary_format,
  cli_cannot_write,
  html_title,
  html_intro,
  html_outside,
  html_diagram,
  html_matrix,
  html_rules,
  html_search,
  html_from,
  html_to,
  html_from_nets,
  html_to_nets,
  html_protocol,
  html_ports,
  html_services,
  html_kb,
  html_left_out,
  html_undecided,
  html_ruled_out,
  html_why,
  html_requirement,
  html_service,
  html_warnings,
  html_count,
  html_shown,
  html_pairs,
  html_examples,
  html_too_many_links,
  report_summary,
  report_diagram,
  report_verdicts,
  report_flow,
  report_address,
  report_port,
  report_status,
  report_services,
  report_detail,
  report_not_probed,
  report_shown,
  report_search,
  report_legend,
  report_blocked,
  report_refused,
  report_unproven,
  report_passed,
  end_,  // not a message: how many there are
};

// The message in `lang`, its {n} replaced by args[n-1].
std::string say(Msg id, Lang lang, std::initializer_list<std::string_view> args = {});

// An argument of a message said in both languages: one text for both (a name, a number), or a
// text with its own Japanese (a role's name, another message).
struct MsgArg {
  MsgArg(std::string_view same) : en(same), ja(same) {}                      // NOLINT: implicit by design
  MsgArg(const std::string& same) : en(same), ja(same) {}                    // NOLINT: implicit by design
  MsgArg(const char* same) : en(same), ja(same) {}                           // NOLINT: implicit by design
  MsgArg(const LocalizedText& text) : en(text.en), ja(text.in(Lang::ja)) {}  // NOLINT: implicit by design
  std::string_view en, ja;
};
// The message in both languages, for library code that does not know the reader's language: errors,
// a plan's warnings and reasons; the CLI and the reports pick one with LocalizedText::in.
LocalizedText said(Msg id, std::initializer_list<MsgArg> args = {});

// Every message, for the test that each has both languages and the same placeholders in each.
struct MessageText {
  Msg id;
  std::string_view en;
  std::string_view ja;
};
const std::vector<MessageText>& message_table();

}  // namespace winports
