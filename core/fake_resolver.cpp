#include "core/fake_resolver.hpp"

#include <utility>

namespace asyncdemo {

// DNS names compare without regard to ASCII case, and "example.org." is the fully qualified
// form of "example.org".
std::string FakeResolver::key(std::string_view name) {
  std::string key(name);
  normalize(key);
  return key;
}

void FakeResolver::normalize(std::string& name) {
  if (name.ends_with('.')) {
    name.pop_back();
  }
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
}

std::string_view outcome_word(FakeOutcome outcome) noexcept {
  switch (outcome) {
    case FakeOutcome::found: return "found";
    case FakeOutcome::not_found: return "not-found";
    case FakeOutcome::temporary_failure: return "temporary-failure";
    case FakeOutcome::no_answer: return "no-answer";
  }
  return "?";
}

void FakeResolver::add(std::string name, FakeAnswer answer) {
  if (answer.outcome == FakeOutcome::found && answer.addresses.empty()) {
    answer.addresses.emplace_back(kDefaultFakeAddress);
  }
  normalize(name);
  answers_.insert_or_assign(std::move(name), std::move(answer));
}

const FakeAnswer* FakeResolver::find(std::string_view name) const {
  const auto found = answers_.find(key(name));
  return found == answers_.end() ? nullptr : &found->second;
}

void FakeResolver::answer_unlisted(std::function<FakeAnswer(std::string_view name)> rule) {
  unlisted_ = std::move(rule);
}

FakeAnswer FakeResolver::answer(std::string_view name) const {
  if (const FakeAnswer* listed = find(name)) {
    return *listed;
  }
  if (unlisted_) {
    FakeAnswer made = unlisted_(name);
    if (made.outcome == FakeOutcome::found && made.addresses.empty()) {
      made.addresses.emplace_back(kDefaultFakeAddress);
    }
    return made;
  }
  return {Duration::zero(), FakeOutcome::not_found, {}};
}

}  // namespace asyncdemo
