#include "cli/render_ticks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace asyncdemo {

Nanos tick_step(Nanos total_ns, int ticks) {
  const Nanos wanted = std::max<Nanos>(total_ns / std::max(ticks, 1), 1);
  for (Nanos decade = 1;; decade *= 10) {
    for (const Nanos factor : {1, 2, 5}) {
      if (decade * factor >= wanted) {
        return decade * factor;
      }
    }
  }
}

std::string tick_label(Nanos t_ns, Nanos step_ns) {
  struct Unit {
    Nanos ns;
    std::string_view suffix;
  };
  constexpr std::array<Unit, 3> kUnits{{{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}}};
  for (const Unit& unit : kUnits) {
    if (step_ns * 10 >= unit.ns) {
      return fmt::format("{:g}{}", static_cast<double>(t_ns) / static_cast<double>(unit.ns),
                         unit.suffix);
    }
  }
  return fmt::format("{}ns", t_ns);
}

}  // namespace asyncdemo
