#pragma once
// What a scenario's work returned, in submission order (JSON "results").
//
// Most scenarios return a handful of values and keep them as JSON. gather at
// --n 1000000 already holds a million outcomes; a second copy of them as JSON
// values, built and then destroyed, cost more than the rest of the run's end,
// and the text summary only says how many there are. So a list holds either
// the values themselves or a count and a function that makes the i-th value
// when it is read (--json reads each once, as it writes it).

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>

namespace asyncdemo {

using Json = nlohmann::ordered_json;

class ResultList {
 public:
  using Maker = std::function<Json(std::size_t index)>;

  /// An empty list of kept values.
  ResultList() = default;
  /// The elements of a JSON array, kept as they are.
  explicit ResultList(Json values);
  /// `count` values, the i-th made by `make(i)` each time it is read. `make`
  /// must give the same value for the same index every time.
  [[nodiscard]] static ResultList made_on_read(std::size_t count, Maker make);

  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  /// The value at `index` (< size()), a copy whether kept or made.
  [[nodiscard]] Json operator[](std::size_t index) const;
  /// Appends a kept value. A list made on read cannot grow: RuntimeMisuse.
  void push_back(Json value);
  /// Every value in one JSON array: for small lists and for tests.
  [[nodiscard]] Json to_json() const;

 private:
  Json kept_ = Json::array();
  std::size_t made_count_ = 0;
  Maker make_;  // empty: the values are kept_
};

}  // namespace asyncdemo
