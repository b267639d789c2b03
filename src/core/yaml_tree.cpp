// The tree of yaml_tree.hpp, built from libyaml's events in one pass. The same pass counts how far
// the aliases expand the file: an alias shares its anchor's node, but every reader that walks the
// tree walks it once per reference (a 1.5 MB site of one 100,000-name list referenced 9,999 times
// took 24 GB), so past a budget the file is refused at the alias that passed it.
#include "winports/core/yaml_tree.hpp"

#include <yaml.h>

#include <optional>
#include <unordered_map>

#include "winports/core/messages.hpp"
#include "winports/core/shared_library.hpp"

namespace winports::yaml {

bool Node::IsNull() const { return IsDefined() && tree_->nodes[index_].kind == Tree::Kind::null; }
bool Node::IsScalar() const { return IsDefined() && tree_->nodes[index_].kind == Tree::Kind::scalar; }
bool Node::IsSequence() const { return IsDefined() && tree_->nodes[index_].kind == Tree::Kind::sequence; }
bool Node::IsMap() const { return IsDefined() && tree_->nodes[index_].kind == Tree::Kind::map; }
Position Node::Mark() const { return IsDefined() ? tree_->nodes[index_].at : Position{-1, -1}; }

std::size_t Node::size() const {
  if (!IsSequence() && !IsMap()) return 0;
  const auto& e = tree_->nodes[index_];
  return IsMap() ? e.count / 2 : e.count;
}

Node Node::operator[](std::string_view key) const {
  if (!IsMap()) return {};
  const auto& e = tree_->nodes[index_];
  for (std::uint32_t i = 0; i < e.count; i += 2) {
    const auto& k = tree_->nodes[tree_->children[e.first + i]];
    if (k.kind != Tree::Kind::scalar && k.kind != Tree::Kind::null) continue;
    if (std::string_view(tree_->text).substr(k.first, k.count) == key) return {tree_, tree_->children[e.first + i + 1]};
  }
  return {};
}

Node Node::operator[](std::size_t i) const {
  if (!IsSequence() || i >= size()) return {};
  return {tree_, tree_->children[tree_->nodes[index_].first + i]};
}

std::string Node::text() const {
  if (IsNull()) return "null";
  if (!IsScalar()) {
    auto at = Mark();
    throw LoadFailure{Error{tree_ ? tree_->file : "", at.line + 1, at.column + 1, "", msg::yaml_expected_text()}};
  }
  const auto& e = tree_->nodes[index_];
  return tree_->text.substr(e.first, e.count);
}

Node::Iterator Node::begin() const {
  if (!IsSequence() && !IsMap()) return {tree_, nullptr, false};
  return {tree_, tree_->children.data() + tree_->nodes[index_].first, IsMap()};
}

Node::Iterator Node::end() const {
  if (!IsSequence() && !IsMap()) return {tree_, nullptr, false};
  const auto& e = tree_->nodes[index_];
  return {tree_, tree_->children.data() + e.first + e.count, IsMap()};
}

Node::Item Node::Iterator::operator*() const {
  Item item;
  if (pairs_) {
    item.first = Node(tree_, at_[0]);
    item.second = Node(tree_, at_[1]);
  } else {
    static_cast<Node&>(item) = Node(tree_, at_[0]);
  }
  return item;
}

Document::Document(std::unique_ptr<Tree> tree)
    : Node(tree.get(), tree->nodes.empty() ? -1 : 0), storage_(std::move(tree)) {}

namespace {

// The functions used, bound at run time (clang-format does not settle on macro bodies).
// clang-format off
#define LIBYAML_FUNCTIONS(X)                                                                       \
  X(yaml_parser_initialize) X(yaml_parser_set_input_string) X(yaml_parser_parse) X(yaml_event_delete) \
  X(yaml_parser_delete)
// clang-format on

WINPORTS_SHARED_API(Libyaml, LIBYAML_FUNCTIONS, WINPORTS_YAML_SONAME, "yaml")

// libyaml's events, one at a time, freed after use.
class Events {
 public:
  Events(const Libyaml& api, std::string_view text) : api_(api) {
    api_.yaml_parser_initialize(&parser_);
    api_.yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~Events() {
    if (held_) api_.yaml_event_delete(&event_);
    api_.yaml_parser_delete(&parser_);
  }
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;

  // The next event, or null on a syntax error (then problem() says what and where).
  const yaml_event_t* next() {
    if (held_) api_.yaml_event_delete(&event_);
    held_ = api_.yaml_parser_parse(&parser_, &event_) != 0;
    return held_ ? &event_ : nullptr;
  }
  [[nodiscard]] Error problem(const std::string& file) const {
    std::string what = parser_.problem ? parser_.problem : "unreadable";
    if (parser_.context) what = std::string(parser_.context) + ": " + what;
    return Error{file, static_cast<int>(parser_.problem_mark.line) + 1,
                 static_cast<int>(parser_.problem_mark.column) + 1, "", msg::yaml_syntax(what)};
  }

 private:
  const Libyaml& api_;
  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool held_ = false;
};

class Builder {
 public:
  Builder(const std::string& file, std::uint64_t budget) : tree_(std::make_unique<Tree>()), budget_(budget) {
    tree_->file = file;
  }

  // Builds from `events` up to the end of the first document (all a site or catalog file is).
  Result<Document> build(Events& events) {
    for (;;) {
      const yaml_event_t* e = events.next();
      if (!e) return events.problem(tree_->file);
      const Position at{static_cast<int>(e->start_mark.line), static_cast<int>(e->start_mark.column)};
      switch (e->type) {
        case YAML_SCALAR_EVENT: {
          const auto& s = e->data.scalar;
          std::string_view value(reinterpret_cast<const char*>(s.value), s.length);
          const bool null = s.style == YAML_PLAIN_SCALAR_STYLE && !s.tag &&
                            (value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL");
          auto index =
              add_node({null ? Tree::Kind::null : Tree::Kind::scalar, at,
                        static_cast<std::uint32_t>(tree_->text.size()), static_cast<std::uint32_t>(value.size())});
          tree_->text.append(value);
          anchor(s.anchor, index, 1);
          if (auto failed = counted(1, at, nullptr)) return *failed;
          break;
        }
        case YAML_ALIAS_EVENT: {
          std::string name = reinterpret_cast<const char*>(e->data.alias.anchor);
          auto it = anchors_.find(name);
          if (it == anchors_.end())
            return Error{tree_->file, at.line + 1, at.column + 1, "", msg::yaml_syntax("no anchor &" + name)};
          child(it->second.index);
          if (auto failed = counted(it->second.size, at, &name)) return *failed;
          break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
          const bool map = e->type == YAML_MAPPING_START_EVENT;
          auto index = add_node({map ? Tree::Kind::map : Tree::Kind::sequence, at});
          const auto* name = map ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
          open_.push_back({index, pending_.size(), 1, name ? reinterpret_cast<const char*>(name) : ""});
          break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
          auto done = std::move(open_.back());
          open_.pop_back();
          auto& entry = tree_->nodes[done.index];
          entry.first = static_cast<std::uint32_t>(tree_->children.size());
          entry.count = static_cast<std::uint32_t>(pending_.size() - done.children);
          tree_->children.insert(tree_->children.end(), pending_.begin() + static_cast<std::ptrdiff_t>(done.children),
                                 pending_.end());
          pending_.resize(done.children);
          if (!done.anchor.empty()) anchors_[done.anchor] = {done.index, done.size};
          if (!open_.empty()) open_.back().size += done.size;
          break;
        }
        case YAML_DOCUMENT_END_EVENT:
        case YAML_STREAM_END_EVENT:
          return Document(std::move(tree_));
        default:  // stream and document starts: nothing to build
          break;
      }
    }
  }

 private:
  struct Open {
    std::int32_t index;
    std::size_t children;  // where its children start in pending_
    std::uint64_t size;    // nodes as expanded, itself included
    std::string anchor;
  };
  struct Anchored {
    std::int32_t index;
    std::uint64_t size;
  };

  std::int32_t add_node(Tree::Entry entry) {
    auto index = static_cast<std::int32_t>(tree_->nodes.size());
    tree_->nodes.push_back(entry);
    child(index);
    return index;
  }
  void child(std::int32_t index) {
    if (!open_.empty()) pending_.push_back(index);
  }
  void anchor(const yaml_char_t* name, std::int32_t index, std::uint64_t size) {
    if (name) anchors_[reinterpret_cast<const char*>(name)] = {index, size};
  }
  // `size` more nodes where the tree is being built. Plain nodes stay within the file's own size:
  // only an alias can pass the budget, and the one that does is named.
  std::optional<Error> counted(std::uint64_t size, Position at, const std::string* alias) {
    if (!open_.empty()) open_.back().size += size;
    total_ += size;
    if (total_ <= budget_ || !alias) return std::nullopt;
    return Error{tree_->file, at.line + 1, at.column + 1, "",
                 msg::yaml_alias_expansion(*alias, std::to_string(budget_), std::to_string(size))};
  }

  std::unique_ptr<Tree> tree_;
  std::uint64_t budget_, total_ = 0;
  std::vector<Open> open_;
  std::vector<std::int32_t> pending_;
  std::unordered_map<std::string, Anchored> anchors_;
};

}  // namespace

Result<Document> parse_document(const std::string& file, std::string_view text, std::uint64_t budget) {
  static const auto api = load_Libyaml();
  if (!api) return Error{file, 0, 0, "", api.error().message};
  Events events(*api, text);
  return Builder(file, budget).build(events);
}

}  // namespace winports::yaml
