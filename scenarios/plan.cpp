#include "scenarios/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace asyncdemo::plan {

namespace {

template <class T>
const T* named(const std::vector<T>& items, std::string_view name) {
  const auto found = std::ranges::find(items, name, &T::name);
  return found == items.end() ? nullptr : &*found;
}

}  // namespace

const TaskTemplate* Plan::task(std::string_view name) const { return named(tasks, name); }
const SharedLimit* Plan::limit(std::string_view name) const { return named(limits, name); }
const SharedQueue* Plan::queue(std::string_view name) const { return named(queues, name); }

std::size_t copy_count(const TaskTemplate& task) {
  return task.each.empty() ? task.copies : task.each.size();
}

std::string copy_name(const TaskTemplate& task, std::size_t index) {
  if (!task.each.empty()) {
    return fmt::format("{}-{}", task.name, task.each[index]);
  }
  return task.copies == 1 ? task.name : fmt::format("{}-{}", task.name, index + 1);
}

}  // namespace asyncdemo::plan
