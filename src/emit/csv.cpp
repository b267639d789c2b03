// CSV (RFC 4180, CRLF): one row per merged flow, for spreadsheets and change-request forms.
// Address lists are space-separated inside their cell; ports use the catalog's "135,445,49152-65535".
#include <sstream>

#include "common.hpp"

namespace winports::emit {

Result<std::string> emit_csv(const Input& in) {
  auto only = detail::selected_host(in);
  if (!only) return only.error();
  std::ostringstream out;
  // Japanese: a UTF-8 byte-order mark, or Excel (which a double-click opens a CSV with) reads the
  // file as CP932 and garbles every Japanese cell. English stays without one: the cells are then
  // ASCII-safe in any code page, and Unix tools (cut, awk, csvkit's first column) keep working.
  if (in.options.lang == Lang::ja) out << "\xEF\xBB\xBF";
  out << "site,from,from_networks,to,to_networks,transport,ports,source_port,icmp_type,rpc_dynamic_ports,services,"
         "kb_sources\r\n";
  for (const auto& f : in.plan.flows) {
    auto v = detail::view_all(f, *only);
    if (v.source.empty()) continue;
    std::string services;
    for (const auto& s : plan::services_of(f)) services += (services.empty() ? "" : " ") + s;
    out << csv_field(in.env.site) << ',' << csv_field(f.source.name) << ',' << csv_field(detail::joined(v.source, " "))
        << ',' << csv_field(f.destination.name) << ',' << csv_field(detail::joined(v.destination, " ")) << ','
        << to_string(f.transport) << ',' << csv_field(f.ports.to_string()) << ','
        << (f.source_port ? std::to_string(*f.source_port) : "") << ',' << f.icmp_type << ','
        << csv_field(f.rpc_only.to_string()) << ',' << csv_field(services) << ','
        << csv_field(plan::reasons_text(f, in.catalog, in.options.lang)) << "\r\n";
  }
  return out.str();
}

}  // namespace winports::emit
