#pragma once
// A TCP conversation of one request and one reply: the parser says whether the bytes so far are a
// whole reply yet (wait), what it proved, or why it proves nothing.
#include "winports/probe/protocols.hpp"
#include "winports/wire/bytes.hpp"

namespace winports::probe {

std::unique_ptr<TcpConversation> one_shot(wire::Bytes request, Step (*parse)(wire::View received));

inline Step wait() { return {Step::Kind::wait, ""}; }
inline Step proved(std::string detail) { return {Step::Kind::proved, std::move(detail)}; }
inline Step failed(std::string detail) { return {Step::Kind::failed, std::move(detail)}; }

}  // namespace winports::probe
