#include "log_record.hpp"

#include <ctime>

namespace winports::analyze::log {

std::optional<double> timestamp(std::string_view date, std::string_view time) {
  auto field = [](std::string_view text, std::size_t at, std::size_t width) -> std::optional<int> {
    if (text.size() < at + width) return std::nullopt;
    return number<int>(text.substr(at, width));
  };
  auto year = field(date, 0, 4), month = field(date, 5, 2), day = field(date, 8, 2);
  auto hour = field(time, 0, 2), minute = field(time, 3, 2), second = field(time, 6, 2);
  if (date.size() != 10 || !year || !month || !day || !hour || !minute || !second || date[4] != '-' || date[7] != '-' ||
      time[2] != ':' || time[5] != ':' || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 ||
      *minute > 59 || *second > 60)
    return std::nullopt;
  double fraction = 0;
  auto rest = time.substr(8);
  if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() == 1) return std::nullopt;
    auto digits = number<unsigned long long>(rest.substr(1, 9));
    if (!digits) return std::nullopt;
    double scale = 1;
    for (std::size_t i = 1; i < std::min<std::size_t>(rest.size(), 10); ++i) scale *= 10;
    fraction = static_cast<double>(*digits) / scale;
  }
  std::tm t{};
  t.tm_year = *year - 1900, t.tm_mon = *month - 1, t.tm_mday = *day;
  t.tm_hour = *hour, t.tm_min = *minute, t.tm_sec = *second;
  return static_cast<double>(timegm(&t)) + fraction;
}

}  // namespace winports::analyze::log
