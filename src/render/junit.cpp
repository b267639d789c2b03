#include "winports/render/junit.hpp"

#include <unistd.h>

#include <ctime>

#include "winports/core/text.hpp"

namespace winports::render {
namespace {

std::string xml(const std::string& s) { return markup_escaped(s); }

std::string seconds_text(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", s);
  return buffer;
}

}  // namespace

std::string junit_xml(const std::string& suite, const std::vector<std::pair<std::string, std::string>>& properties,
                      const std::vector<JunitCase>& cases, const std::string& summary) {
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);  // the schema's pattern: no zone suffix
  std::size_t failures = 0;
  double total = 0;
  for (const auto& c : cases) {
    failures += !c.failure_type.empty();
    total += c.seconds;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuite name=\"" + xml(suite) + "\" timestamp=\"" + stamp + "\" hostname=\"" + xml(host) + "\" tests=\"" +
         std::to_string(cases.size()) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" time=\"" +
         seconds_text(total) + "\">\n  <properties>\n";
  for (const auto& [name, value] : properties)
    out += "    <property name=\"" + xml(name) + "\" value=\"" + xml(value) + "\"/>\n";
  out += "  </properties>\n";
  for (const auto& c : cases) {
    out += "  <testcase name=\"" + xml(c.name) + "\" classname=\"" + xml(c.classname) + "\" time=\"" +
           seconds_text(c.seconds) + "\"";
    if (c.failure_type.empty()) {
      out += "/>\n";
      continue;
    }
    out += ">\n    <failure type=\"" + xml(c.failure_type) + "\" message=\"" + xml(c.message) + "\">" + xml(c.message) +
           "</failure>\n  </testcase>\n";
  }
  out += "  <system-out>" + xml(summary) + "</system-out>\n  <system-err/>\n</testsuite>\n";
  return out;
}

}  // namespace winports::render
