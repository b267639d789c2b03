// How far a YAML file's aliases expand, counted from the parser's events before any tree is used:
// an alias is legal YAML and yaml-cpp shares its node, but every reader that walks the tree walks
// it once per reference (a 1.5 MB site of one 100,000-name list referenced 9,999 times took 24 GB).
// yaml-cpp's event parser gives each node, anchor and alias in order, so the expanded size of each
// anchored node is known when it closes, and an alias adds it.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <unordered_map>
#include <vector>

#include "winports/core/messages.hpp"
#include "winports/core/yaml_reader.hpp"

namespace winports::yaml {
namespace {

class ExpansionCounter : public YAML::EventHandler {
 public:
  ExpansionCounter(const SourceFile& file, std::uint64_t budget) : file_(file), budget_(budget) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { leaf(anchor); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t anchor, const std::string&) override {
    leaf(anchor);
  }
  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_name_ = name; }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = size_.find(anchor);
    const std::uint64_t size = it == size_.end() ? 1 : it->second;
    add(size, mark, anchor);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YAML::anchor_t anchor;
    std::uint64_t size;
  };
  void name(YAML::anchor_t anchor) {
    if (anchor && !pending_name_.empty()) names_[anchor] = std::move(pending_name_);
    pending_name_.clear();
  }
  void leaf(YAML::anchor_t anchor) {
    name(anchor);
    if (anchor) size_[anchor] = 1;
    add(1, {}, 0);
  }
  void open(YAML::anchor_t anchor) {
    name(anchor);
    open_.push_back({anchor, 1});
  }
  void close() {
    auto done = open_.back();
    open_.pop_back();
    if (done.anchor) size_[done.anchor] = done.size;
    if (!open_.empty()) open_.back().size += done.size;
  }
  // `size` more nodes where the tree is being built; past the budget, the alias that did it is named.
  void add(std::uint64_t size, const YAML::Mark& mark, YAML::anchor_t alias) {
    if (!open_.empty()) open_.back().size += size;
    total_ += size;
    if (total_ <= budget_) return;
    if (!alias) return;  // plain nodes stay within the file's own size: only aliases can pass it
    auto name = names_.count(alias) ? names_[alias] : std::to_string(alias);
    throw LoadFailure{Error{file_.name, mark.line + 1, mark.column + 1, "",
                            msg::yaml_alias_expansion(name, std::to_string(budget_), std::to_string(size))}};
  }

  const SourceFile& file_;
  std::uint64_t budget_, total_ = 0;
  std::vector<Open> open_;
  std::unordered_map<YAML::anchor_t, std::uint64_t> size_;
  std::unordered_map<YAML::anchor_t, std::string> names_;
  std::string pending_name_;
};

}  // namespace

void check_alias_expansion(const SourceFile& file) {
  // Without an anchor there is no alias (an alias to none is a syntax error): nothing to count.
  if (file.text.find('&') == std::string::npos) return;
  ExpansionCounter counter(file, kExpansionPerByte * file.text.size() + kExpansionFloor);
  std::istringstream in(file.text);
  YAML::Parser parser(in);
  try {
    // The first document only: it is all YAML::Load reads (and on some malformed input yaml-cpp's
    // parser keeps reporting further documents without consuming any: a loop over them never ends).
    parser.HandleNextDocument(counter);
  } catch (const YAML::Exception&) {
    // A syntax error: YAML::Load, next, reports it with its own words.
  }
}

}  // namespace winports::yaml
