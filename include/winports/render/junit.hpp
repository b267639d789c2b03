#pragma once
// Probe verdicts as a JUnit XML report (the Apache Ant schema CI servers read: Jenkins, GitLab,
// Azure DevOps), so a firewall check can gate a pipeline like a test run.
#include <string>
#include <utility>
#include <vector>

namespace winports::render {

struct JunitCase {
  std::string classname;  // what was probed from where: "clients → dc1" or an address
  std::string name;       // "tcp/135 (rpc)"
  double seconds = 0;
  std::string failure_type;  // "" passes; else the verdict that failed it ("filtered")
  std::string message;       // the probe's detail
};

// One <testsuite>: `properties` become <property> elements, `summary` the suite's <system-out>.
std::string junit_xml(const std::string& suite, const std::vector<std::pair<std::string, std::string>>& properties,
                      const std::vector<JunitCase>& cases, const std::string& summary);

}  // namespace winports::render
