// The ASA configuration model: `show running-config` text in, the same text out, and the
// configuration-mode commands winports' ASA output uses applied in between. Hand-written: no Debian
// package reads ASA configurations (ciscoconfparse is Python and not packaged), and the grammar
// needed here is line-oriented: a top-level command, its indented sub-commands.
#include "winports/audit/asa_config.hpp"

#include <algorithm>
#include <charconv>

#include "rule_builder.hpp"
#include "winports/audit/messages.hpp"

namespace winports::audit::asa {
namespace {

std::vector<std::string> words_of(std::string_view text) { return split_list(normalized(text), ' '); }

bool starts_with(std::string_view text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

std::string trimmed(std::string_view text) {
  auto b = text.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  auto e = text.find_last_not_of(" \t\r");
  return std::string(text.substr(b, e - b + 1));
}

std::optional<int> number(std::string_view text) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// "object network X", "object-group service X tcp": kind and name of an object header, or nothing.
std::optional<std::pair<std::string, std::string>> object_header(const std::vector<std::string>& w) {
  if (w.size() >= 3 && (w[0] == "object" || w[0] == "object-group")) return std::pair{w[0] + " " + w[1], w[2]};
  return std::nullopt;
}

// Whether an access-list entry's text names an object or group (as a word of its own).
bool entry_uses(std::string_view entry, std::string_view name) {
  auto w = words_of(entry);
  for (std::size_t i = 1; i < w.size(); ++i)
    if ((w[i - 1] == "object-group" || w[i - 1] == "object") && w[i] == name) return true;
  return false;
}

class Editor {
 public:
  Editor(Config& config, std::string file) : c_(config), file_(std::move(file)) {}

  // One top-level line (or an indented member of the object opened last).
  Status line(int number, std::string_view raw, bool command) {
    auto text = trimmed(raw);
    if (text.empty() || text[0] == '!' || text[0] == ':') {
      if (!raw.empty() && raw[0] != ' ') open_ = kNone;
      return ok_status();
    }
    bool indented = raw[0] == ' ' || raw[0] == '\t';
    if (indented) {
      if (open_ != kNone) return member(number, text);
      if (in_interface_) return interface_member(number, text);
      if (!command) return keep(number, std::string(raw));  // a sub-command of something not modelled
      return Error{file_, number, 1, "line", msg::asa_member_outside(shortened(text, 40))};
    }
    open_ = kNone;
    in_interface_ = false;
    auto w = words_of(text);
    if (w[0] == "access-list") return access_list(number, text, w, command);
    if (w[0] == "access-group") return access_group(number, text, w, command);
    if (auto h = object_header(w)) return open_object(number, text, h->first, h->second);
    if (w[0] == "interface" && !command) {
      in_interface_ = true;
      c_.interfaces.push_back({});
      c_.interfaces.back().line = number;
      return keep(number, text);
    }
    if (w[0] == "same-security-traffic" && w.size() == 3 && w[1] == "permit") {
      (w[2] == "inter-interface" ? c_.same_security_inter : c_.same_security_intra) = true;
      return keep(number, text);
    }
    if (command) return command_only(number, text, w);
    return keep(number, text);
  }

 private:
  Status keep(int number, std::string text) {
    c_.other.push_back({number, std::move(text)});
    return ok_status();
  }

  Status interface_member(int number, const std::string& text) {
    auto w = words_of(text);
    auto& i = c_.interfaces.back();
    if (w.size() == 2 && w[0] == "nameif") i.nameif = w[1];
    if (w.size() == 2 && w[0] == "security-level") {
      auto level = asa::number(w[1]);
      if (!level || *level < 0 || *level > 100)
        return Error{file_, number, 0, "security-level", msg::value_is_not(w[1], said(msg::asa_noun_level))};
      i.security_level = *level;
    }
    return keep(number, " " + text);
  }

  Status member(int number, const std::string& text) {
    auto key = normalized(text);
    auto& members = c_.objects[open_].members;
    // Re-entering a member the object already has changes nothing, on the ASA too.
    if (std::none_of(members.begin(), members.end(), [&](const Line& m) { return normalized(m.text) == key; }))
      members.push_back({number, key});
    return ok_status();
  }

  Status open_object(int number, const std::string& text, const std::string& kind, const std::string& name) {
    for (std::size_t i = 0; i < c_.objects.size(); ++i)
      if (c_.objects[i].name == name) {
        if (c_.objects[i].kind != kind)
          return Error{file_, number, 0, name, msg::asa_object_kind(name, c_.objects[i].kind, kind)};
        open_ = i;  // entering an existing object adds to it
        return ok_status();
      }
    c_.objects.push_back({{number, normalized(text)}, kind, name, {}});
    open_ = c_.objects.size() - 1;
    return ok_status();
  }

  AccessList& list_named(const std::string& name) {
    for (auto& l : c_.lists)
      if (l.name == name) return l;
    c_.lists.push_back({name, {}});
    return c_.lists.back();
  }

  Status access_list(int number, const std::string& text, const std::vector<std::string>& w, bool command) {
    if (w.size() < 3) return Error{file_, number, 0, "access-list", msg::rule_needs("a name and an entry")};
    const auto& name = w[1];
    std::size_t first = 2;
    std::optional<int> at;
    if (w[2] == "line") {
      if (w.size() < 5 || !(at = asa::number(w[3])) || *at < 1)
        return Error{file_, number, 0, "line", msg::asa_expected("a line number and an entry", "line")};
      first = 4;
    }
    std::string entry;
    for (std::size_t i = first; i < w.size(); ++i) entry += (entry.empty() ? "" : " ") + w[i];
    (void)text;
    auto& list = list_named(name);
    if (command && w[first] != "remark")
      for (const auto& e : list.entries)
        if (e.text == entry) return Error{file_, number, 0, name, msg::asa_duplicate_entry(name, entry)};
    if (!at) {
      list.entries.push_back({number, entry});
      return ok_status();
    }
    // "line N" puts the entry at position N, moving the one there and those after it down; N may be
    // one past the end.
    if (static_cast<std::size_t>(*at) > list.entries.size() + 1)
      return Error{file_, number, 0, "line",
                   msg::asa_line_past_end(std::to_string(*at), name, std::to_string(list.entries.size()))};
    list.entries.insert(list.entries.begin() + (*at - 1), Line{number, entry});
    return ok_status();
  }

  Status access_group(int number, const std::string& text, const std::vector<std::string>& w, bool command) {
    AccessGroup g{{number, normalized(text)}, w.size() > 1 ? w[1] : "", "", ""};
    if (w.size() == 3 && w[2] == "global") {
      g.direction = "global";
    } else if (w.size() == 5 && (w[2] == "in" || w[2] == "out") && w[3] == "interface") {
      g.direction = w[2];
      g.interface = w[4];
    } else {
      return Error{file_, number, 0, "access-group",
                   msg::asa_expected("NAME in|out interface IF, or NAME global", "access-group")};
    }
    if (command && !c_.list(g.list)) return Error{file_, number, 0, g.list, msg::asa_no_list(g.list)};
    // One list per interface and direction: a new binding replaces the old one in one step.
    std::erase_if(c_.groups,
                  [&](const AccessGroup& o) { return o.direction == g.direction && o.interface == g.interface; });
    c_.groups.push_back(std::move(g));
    return ok_status();
  }

  Status command_only(int number, const std::string& text, const std::vector<std::string>& w) {
    if (w.size() == 4 && w[0] == "clear" && w[1] == "configure" && w[2] == "access-list") {
      if (!c_.list(w[3])) return Error{file_, number, 0, w[3], msg::asa_no_list(w[3])};
      std::erase_if(c_.lists, [&](const AccessList& l) { return l.name == w[3]; });
      std::erase_if(c_.groups, [&](const AccessGroup& g) { return g.list == w[3]; });
      return ok_status();
    }
    if (w.size() >= 3 && w[0] == "no" && w[1] == "access-list") return remove_entry(number, w);
    if (w.size() >= 3 && w[0] == "no" && w[1] == "access-group") {
      auto key = normalized(text.substr(3));
      auto before = c_.groups.size();
      std::erase_if(c_.groups, [&](const AccessGroup& g) { return g.line.text == key; });
      if (c_.groups.size() == before) return Error{file_, number, 0, "access-group", msg::asa_no_list(w[2])};
      return ok_status();
    }
    if (w.size() >= 4 && w[0] == "no" && (w[1] == "object-group" || w[1] == "object")) {
      const auto& name = w[3];
      for (const auto& l : c_.lists)
        for (const auto& e : l.entries)
          if (entry_uses(e.text, name)) return Error{file_, number, 0, name, msg::asa_group_in_use(name, l.name)};
      for (const auto& o : c_.objects)
        for (const auto& m : o.members)
          if (entry_uses(m.text, name)) return Error{file_, number, 0, name, msg::asa_group_in_use(name, o.name)};
      auto before = c_.objects.size();
      std::erase_if(c_.objects, [&](const Object& o) { return o.name == name; });
      if (c_.objects.size() == before) return Error{file_, number, 0, name, msg::asa_no_object(name)};
      return ok_status();
    }
    return Error{file_, number, 1, "command", msg::asa_unknown_command(shortened(text, 60))};
  }

  Status remove_entry(int number, const std::vector<std::string>& w) {
    const auto& name = w[2];
    auto* list = const_cast<AccessList*>(c_.list(name));
    if (!list) return Error{file_, number, 0, name, msg::asa_no_list(name)};
    std::size_t first = 3;
    if (w.size() > 5 && w[3] == "line") first = 5;  // "no access-list X line N …" names the entry too
    std::string entry;
    for (std::size_t i = first; i < w.size(); ++i) entry += (entry.empty() ? "" : " ") + w[i];
    auto it = std::find_if(list->entries.begin(), list->entries.end(), [&](const Line& e) { return e.text == entry; });
    if (it == list->entries.end()) return Error{file_, number, 0, name, msg::asa_no_entry(name, entry)};
    list->entries.erase(it);
    // The ASA removes a list with its last entry, and its binding with it.
    if (list->entries.empty()) {
      std::erase_if(c_.groups, [&](const AccessGroup& g) { return g.list == name; });
      std::erase_if(c_.lists, [&](const AccessList& l) { return l.name == name; });
    }
    return ok_status();
  }

  Config& c_;
  std::string file_;
  static constexpr std::size_t kNone = ~std::size_t{0};
  std::size_t open_ = kNone;  // the object whose members follow
  bool in_interface_ = false;
};

Status run(Config& config, const std::string& file, const std::string& text, bool command) {
  Editor editor(config, file);
  std::size_t at = 0;
  int number = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    ++number;
    std::string_view line(text.data() + at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    at = end + 1;
    auto status = editor.line(number, line, command);
    if (!status) return status;
  }
  return ok_status();
}

}  // namespace

std::string normalized(std::string_view text) {
  std::string out;
  bool space = false;
  for (char ch : text) {
    if (ch == ' ' || ch == '\t' || ch == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

const Object* Config::object(std::string_view name) const {
  for (const auto& o : objects)
    if (o.name == name) return &o;
  return nullptr;
}

const AccessList* Config::list(std::string_view name) const {
  for (const auto& l : lists)
    if (l.name == name) return &l;
  return nullptr;
}

const AccessGroup* Config::binding(std::string_view iface, std::string_view direction) const {
  for (const auto& g : groups)
    if (g.interface == iface && g.direction == (iface.empty() ? "global" : direction)) return &g;
  return nullptr;
}

const Interface* Config::interface(std::string_view nameif) const {
  for (const auto& i : interfaces)
    if (i.nameif == nameif) return &i;
  return nullptr;
}

bool looks_like_asa(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = std::min(text.find('\n', at), text.size());
    auto line = text.substr(at, end - at);
    at = end + 1;
    if (starts_with(line, "ASA Version") || starts_with(line, "access-list ") || starts_with(line, "access-group ") ||
        starts_with(line, "object-group ") || starts_with(line, "object network ") ||
        starts_with(line, "object service ") || starts_with(line, ": Saved"))
      return true;
  }
  return false;
}

Result<Config> parse_config(const std::string& file, const std::string& text) {
  Config config;
  config.file = file;
  auto status = run(config, file, text, false);
  if (!status) return status.error();
  return config;
}

Status apply_commands(Config& config, const std::string& file, const std::string& commands) {
  return run(config, file, commands, true);
}

std::string running_config(const Config& config) {
  std::string out;
  for (const auto& l : config.other) out += l.text + "\n";
  for (const auto& o : config.objects) {
    out += o.head.text + "\n";
    for (const auto& m : o.members) out += " " + m.text + "\n";
  }
  for (const auto& l : config.lists)
    for (const auto& e : l.entries) out += "access-list " + l.name + " " + e.text + "\n";
  for (const auto& g : config.groups) out += g.line.text + "\n";
  return out;
}

}  // namespace winports::audit::asa
