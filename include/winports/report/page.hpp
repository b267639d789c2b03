#pragma once
// What every winports HTML page shares: the head (with a Content-Security-Policy that forbids any
// request, so the file can be mailed and opened anywhere), the style sheet and the table filter (the
// words come from the message table, src/core/messages.cpp).
#include <ostream>
#include <string>
#include <string_view>

#include "winports/core/text.hpp"

namespace winports::report::page {

inline std::string escaped(std::string_view text) { return markup_escaped(text); }

inline constexpr const char* kStyle = R"(
body{font-family:system-ui,"Segoe UI","Yu Gothic UI",Meiryo,"IPAGothic",sans-serif;margin:1.5em auto;max-width:1400px;padding:0 1em;color:#1d1d1f}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccd;padding-bottom:.2em}
table{border-collapse:collapse;font-size:.85em;width:100%}th,td{border:1px solid #ccd;padding:.25em .45em;
text-align:left;vertical-align:top}th{background:#eef3fb;position:sticky;top:0}tr:nth-child(even) td{background:#fafbfe}
#zone-diagram svg{max-width:100%;height:auto}#matrix td.cell{min-width:6em}#matrix td.empty{background:#f4f4f4}
#matrix th.row{position:static}.undecided{color:#a15c00}.warning{color:#a10000}input#search{width:100%;
font-size:1em;padding:.4em;margin:.5em 0;box-sizing:border-box}.muted{color:#667}code{font-size:.95em}
tr.blocked td{background:#fdecea}tr.blocked td.status{color:#b71c1c;font-weight:bold}tr.refused td.status{color:#a15c00;
font-weight:bold}tr.unproven td.status{color:#667}tr.passed td.status{color:#1b5e20}.tally span{margin-right:1.2em}
)";

// Filters the rows of the table the search box names (data-rows) by every word typed.
inline constexpr const char* kFilterScript = R"(
(function(){var box=document.getElementById('search'),rows=document.querySelectorAll(box.dataset.rows),
count=document.getElementById('shown');function filter(){var words=box.value.toLowerCase().split(/\s+/)
.filter(Boolean),shown=0;rows.forEach(function(r){var t=r.textContent.toLowerCase(),ok=words.every(function(w)
{return t.indexOf(w)>=0;});r.style.display=ok?'':'none';if(ok)shown++;});count.textContent=shown;}
box.addEventListener('input',filter);filter();})();
)";

// <!DOCTYPE> to the opening <body> and the page's <h1>.
inline void head(std::ostream& out, const std::string& title, Lang lang) {
  out << "<!DOCTYPE html>\n<html lang=\"" << lang_code(lang) << "\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "script-src 'unsafe-inline'; img-src data:\">\n"
      << "<title>" << escaped(title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>"
      << escaped(title) << "</h1>\n";
}

// A search box filtering the rows `rows_selector` selects; the count shown goes to #shown.
inline void search_box(std::ostream& out, const char* rows_selector, const std::string& placeholder) {
  out << "<input id=\"search\" type=\"search\" data-rows=\"" << rows_selector << "\" placeholder=\""
      << escaped(placeholder) << "\">\n";
}

inline void foot(std::ostream& out) {
  out << "<p class=\"muted\">winports · Microsoft KB 832017</p>\n<script>" << kFilterScript
      << "</script>\n</body>\n</html>\n";
}

}  // namespace winports::report::page
