#include "scenarios/result_list.hpp"

#include <utility>

#include "core/errors.hpp"

namespace asyncdemo {

ResultList::ResultList(Json values) : kept_(std::move(values)) {
  if (!kept_.is_array()) {
    throw RuntimeMisuse("a result list is made from a JSON array");
  }
}

ResultList ResultList::made_on_read(std::size_t count, Maker make) {
  if (!make) {
    throw RuntimeMisuse("a result list made on read needs a function that makes the values");
  }
  ResultList list;
  list.made_count_ = count;
  list.make_ = std::move(make);
  return list;
}

std::size_t ResultList::size() const noexcept { return make_ ? made_count_ : kept_.size(); }

Json ResultList::operator[](std::size_t index) const {
  if (index >= size()) {
    throw RuntimeMisuse("a result past the end of the list was read");
  }
  return make_ ? make_(index) : kept_[index];
}

void ResultList::push_back(Json value) {
  if (make_) {
    throw RuntimeMisuse("a result list made on read cannot grow");
  }
  kept_.push_back(std::move(value));
}

Json ResultList::to_json() const {
  if (!make_) {
    return kept_;
  }
  Json values = Json::array();
  values.get_ref<Json::array_t&>().reserve(made_count_);
  for (std::size_t i = 0; i < made_count_; ++i) {
    values.push_back(make_(i));
  }
  return values;
}

}  // namespace asyncdemo
