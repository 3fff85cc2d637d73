#include "scenarios/result_list.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

#include "core/errors.hpp"

using asyncdemo::Json;
using asyncdemo::ResultList;
using asyncdemo::RuntimeMisuse;

TEST_SUITE("scenarios") {
  TEST_CASE("a result list keeps the values it is given, in order") {
    ResultList list(Json::parse(R"([1, {"error": "task-2 failed"}])"));
    list.push_back(3);
    CHECK(list.size() == 3);
    CHECK(list[1]["error"] == "task-2 failed");
    CHECK(list.to_json() == Json::parse(R"([1, {"error": "task-2 failed"}, 3])"));
    CHECK_THROWS_AS((void)list[3], RuntimeMisuse);
    CHECK_THROWS_AS((void)ResultList(Json::object()), RuntimeMisuse);
  }

  TEST_CASE("a result list made on read makes only the values that are read, when they are") {
    std::vector<std::size_t> made;
    const ResultList list = ResultList::made_on_read(1'000'000, [&made](std::size_t index) {
      made.push_back(index);
      return Json(index * 2);
    });
    CHECK(list.size() == 1'000'000);
    CHECK_FALSE(list.empty());
    CHECK(made.empty());  // counting them makes none
    CHECK(list[999'999] == 1'999'998);
    CHECK(list[7] == 14);
    CHECK(made == std::vector<std::size_t>{999'999, 7});
    CHECK_THROWS_AS((void)list[1'000'000], RuntimeMisuse);
  }

  TEST_CASE("a result list made on read lists every value once and cannot grow") {
    ResultList list = ResultList::made_on_read(
        3, [](std::size_t index) { return index == 1 ? Json{{"not_run", true}} : Json(index); });
    CHECK(list.to_json() == Json::parse(R"([0, {"not_run": true}, 2])"));
    CHECK_THROWS_AS(list.push_back(4), RuntimeMisuse);
    CHECK(list.size() == 3);
    CHECK(ResultList::made_on_read(0, [](std::size_t) { return Json(); }).empty());
    CHECK_THROWS_AS((void)ResultList::made_on_read(1, {}), RuntimeMisuse);
  }
}
