#pragma once
// Outcome<T>: how a task ended — a value, an error, or a cancellation — held as
// a value, so gather(collect) and as_completed can hand errors back as results
// (asyncio's return_exceptions=True) instead of throwing them.

#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "core/errors.hpp"

namespace asyncdemo {

namespace detail {

/// The message of a stored error: what() for std::exception, "cancelled" for
/// Cancelled, a generic text for anything else.
std::string describe_error(const std::exception_ptr& error);

/// Whether a stored error is a Cancelled.
bool is_cancelled(const std::exception_ptr& error);

class OutcomeBase {
 public:
  [[nodiscard]] bool ok() const noexcept { return !error_; }
  [[nodiscard]] bool cancelled() const noexcept { return error_ && cancelled_; }
  [[nodiscard]] bool failed() const noexcept { return error_ && !cancelled_; }
  [[nodiscard]] const std::exception_ptr& error() const noexcept { return error_; }
  [[nodiscard]] std::string error_message() const { return describe_error(error_); }
  void rethrow_if_error() const {
    if (error_) {
      std::rethrow_exception(error_);
    }
  }

 protected:
  OutcomeBase() = default;
  OutcomeBase(std::exception_ptr error, bool cancelled)
      : error_(std::move(error)), cancelled_(cancelled) {}

 private:
  std::exception_ptr error_;
  bool cancelled_ = false;
};

}  // namespace detail

template <class T>
class Outcome : public detail::OutcomeBase {
 public:
  Outcome() = default;
  static Outcome of_value(T value) {
    Outcome o;
    o.value_.emplace(std::move(value));
    return o;
  }
  static Outcome of_error(std::exception_ptr error) {
    const bool cancelled = detail::is_cancelled(error);
    return Outcome(std::move(error), cancelled);
  }
  /// The value; rethrows the stored error if there is one.
  const T& value() const& {
    rethrow_if_error();
    if (!value_) {
      throw RuntimeMisuse("an empty Outcome has no value");
    }
    return *value_;
  }
  T take() && {
    rethrow_if_error();
    if (!value_) {
      throw RuntimeMisuse("an empty Outcome has no value");
    }
    return std::move(*value_);
  }

 private:
  Outcome(std::exception_ptr error, bool cancelled) : OutcomeBase(std::move(error), cancelled) {}
  std::optional<T> value_;
};

template <>
class Outcome<void> : public detail::OutcomeBase {
 public:
  Outcome() = default;
  static Outcome of_value() { return {}; }
  static Outcome of_error(std::exception_ptr error) {
    const bool cancelled = detail::is_cancelled(error);
    return {std::move(error), cancelled};
  }
  void value() const { rethrow_if_error(); }
  void take() && { rethrow_if_error(); }

 private:
  Outcome(std::exception_ptr error, bool cancelled) : OutcomeBase(std::move(error), cancelled) {}
};

}  // namespace asyncdemo
