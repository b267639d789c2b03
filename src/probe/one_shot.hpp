#pragma once
// A TCP conversation of one request and one reply: the parser says whether the bytes so far are a
// whole reply yet (wait), what it proved, or why it proves nothing.
#include "winports/probe/protocols.hpp"
#include "winports/wire/bytes.hpp"

namespace winports::probe {

std::unique_ptr<TcpConversation> one_shot(wire::Bytes request, Step (*parse)(wire::View received));

inline Step wait() { return {Step::Kind::wait, {}}; }
inline Step proved(LocalizedText detail) { return {Step::Kind::proved, std::move(detail)}; }
inline Step failed(LocalizedText detail) { return {Step::Kind::failed, std::move(detail)}; }
// The wire's own words (a server's status line, attribute names): the same in every language.
inline LocalizedText as_sent(std::string text) { return {{}, std::move(text)}; }

}  // namespace winports::probe
