// command_outcome: what a `brook` command's step returns: a value, or a failure with a
// message for the user (printed after the command's name, e.g. "brook group describe: ...").
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace brook::app {

// Why a step failed, in words for the user.
struct failure {
  std::string message;
};

template <typename T>
class outcome {
 public:
  outcome(T value) : _v(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  outcome(failure f) : _v(std::move(f)) {}    // NOLINT(google-explicit-constructor)
  explicit operator bool() const { return _v.index() == 0; }
  T& operator*() { return std::get<0>(_v); }
  T* operator->() { return &std::get<0>(_v); }
  const std::string& error() const { return std::get<1>(_v).message; }

 private:
  std::variant<T, failure> _v;
};

using done = outcome<std::monostate>;

}  // namespace brook::app
