#pragma once
// A YAML document as a read-only tree, parsed by libyaml's event parser. yaml-cpp built a tree of
// shared, individually allocated nodes through a regex scanner: reading the 5,000-host benchmark
// site took half of a whole plan (profiled with callgrind: 41% in YAML::Load alone), where libyaml
// reads the same events ten times faster. libyaml has no tree of its own worth keeping (its
// document API copies every scalar and keeps no alias sharing), so the tree is built here: nodes
// in one vector, scalars in one buffer, an alias shares its anchor's node. The names are yaml-cpp's
// (IsMap, Mark, as<std::string>), which the readers were written against. Internal to the library.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "winports/core/result.hpp"

namespace winports::yaml {

// Thrown by the readers' deep checks (and a conversion of a node that is not text) and turned into
// Error at each entry point, so that field checks stay short; nothing escapes the library.
struct LoadFailure {
  Error error;
};

struct Position {
  int line = 0, column = 0;  // from 0, as yaml-cpp's marks
};

class Tree;

class Node {
 public:
  Node() = default;
  Node(const Tree* tree, std::int32_t index) : tree_(tree), index_(index) {}

  [[nodiscard]] bool IsDefined() const { return index_ >= 0; }
  [[nodiscard]] bool IsNull() const;
  [[nodiscard]] bool IsScalar() const;
  [[nodiscard]] bool IsSequence() const;
  [[nodiscard]] bool IsMap() const;
  [[nodiscard]] Position Mark() const;
  // Entries of a sequence or a mapping; 0 for anything else.
  [[nodiscard]] std::size_t size() const;
  // The value of `key` in a mapping (the first, if the file repeats it), else an undefined node.
  Node operator[](std::string_view key) const;
  Node operator[](const char* key) const { return (*this)[std::string_view(key)]; }
  Node operator[](const std::string& key) const { return (*this)[std::string_view(key)]; }
  // The i-th entry of a sequence, else an undefined node.
  Node operator[](std::size_t i) const;
  Node operator[](int i) const { return (*this)[static_cast<std::size_t>(i)]; }
  // A scalar's text; a null is "null" (as yaml-cpp says it). Anything else fails naming the file.
  template <class T>
  T as() const {
    static_assert(std::is_same_v<T, std::string>, "the readers convert text themselves");
    return text();
  }

  // What iterating gives: for a mapping, each key and value (first, second); for a sequence, each
  // entry (the item itself).
  class Item;
  class Iterator;
  [[nodiscard]] Iterator begin() const;
  [[nodiscard]] Iterator end() const;

 private:
  [[nodiscard]] std::string text() const;
  const Tree* tree_ = nullptr;
  std::int32_t index_ = -1;
};

class Node::Item : public Node {
 public:
  Node first, second;
};

class Node::Iterator {
 public:
  Iterator(const Tree* tree, const std::int32_t* at, bool pairs) : tree_(tree), at_(at), pairs_(pairs) {}
  Item operator*() const;
  struct Arrow {
    Item item;
    const Item* operator->() const { return &item; }
  };
  Arrow operator->() const { return {**this}; }
  Iterator& operator++() {
    at_ += pairs_ ? 2 : 1;
    return *this;
  }
  bool operator!=(const Iterator& other) const { return at_ != other.at_; }
  bool operator==(const Iterator& other) const { return at_ == other.at_; }

 private:
  const Tree* tree_;
  const std::int32_t* at_;
  bool pairs_;
};

// The tree's storage. Nodes refer to it: it lives as long as the Document that made it.
class Tree {
 public:
  enum class Kind : std::uint8_t { null, scalar, sequence, map };
  struct Entry {
    Kind kind;
    Position at;
    std::uint32_t first = 0, count = 0;  // scalar: bytes in text_; collection: slots in children_
  };
  std::string file;  // for the errors a conversion raises
  std::vector<Entry> nodes;
  std::vector<std::int32_t> children;  // a mapping's are key, value, key, value …
  std::string text;
};

// The first document of a file. Its root is itself; every node taken from it is valid while it lives.
class Document : public Node {
 public:
  Document() = default;
  explicit Document(std::unique_ptr<Tree> tree);

 private:
  std::unique_ptr<Tree> storage_;
};

// Parses `text` (named `file` in errors): a syntax error, an alias to no anchor, or aliases that
// would expand the file to more than `budget` nodes (the alias named) fail with the file, line and
// column. An empty file gives an undefined root.
Result<Document> parse_document(const std::string& file, std::string_view text, std::uint64_t budget);

}  // namespace winports::yaml
