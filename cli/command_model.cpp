#include "cli/command_model.hpp"

#include <algorithm>
#include <cctype>

#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

OptionModel describe_option(const CLI::Option& option) {
  OptionModel model;
  for (const std::string& name : option.get_snames()) {
    model.names.push_back("-" + name);
  }
  for (const std::string& name : option.get_lnames()) {
    model.names.push_back("--" + name);
  }
  if (model.names.empty()) {
    model.operand_name = option.get_name(true);
    model.repeats = option.get_items_expected_max() > 1;
    model.required = option.get_required();
  }
  if (option.get_expected_max() != 0) {
    model.value_name = option.get_type_name();
  }
  model.choices = choice_names(option);
  model.description = option.get_description();
  model.default_value = option.get_default_str();
  return model;
}

bool shares_a_name(const OptionModel& option, const std::vector<OptionModel>& others) {
  return std::ranges::any_of(others, [&option](const OptionModel& other) {
    return std::ranges::find_first_of(option.names, other.names) != option.names.end();
  });
}

CommandModel describe_command(const CLI::App& command,
                              const std::vector<OptionModel>& global_options) {
  CommandModel model;
  model.name = command.get_name();
  model.description = command.get_description();
  model.scenario = command.get_group() == kScenarioGroup;
  for (const CLI::Option* option : command.get_options()) {
    OptionModel described = describe_option(*option);
    if (described.operand()) {
      model.operands.push_back(std::move(described));
    } else if (!shares_a_name(described, global_options)) {
      model.options.push_back(std::move(described));
    }
  }
  return model;
}

}  // namespace

ProgramModel describe_command_line(const CLI::App& app) {
  ProgramModel model;
  model.name = app.get_name();
  model.description = app.get_description();
  model.footer = app.get_footer();
  for (const CLI::Option* option : app.get_options()) {
    model.global_options.push_back(describe_option(*option));
  }
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (!command->get_group().empty()) {  // in no group: hidden from --help
      model.commands.push_back(describe_command(*command, model.global_options));
    }
  }
  return model;
}

std::string first_clause(std::string_view description) {
  int depth = 0;
  for (std::size_t i = 0; i < description.size(); ++i) {
    const char c = description[i];
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    const std::string_view after = description.substr(i + 1);
    // A full stop ends a sentence before a capital, not in "e.g. 2s,1s".
    const bool ends =
        ((c == ':' || c == ';') && after.starts_with(' ')) ||
        (c == '.' && (after.empty() || (after.size() >= 2 && after[0] == ' ' &&
                                        std::isupper(static_cast<unsigned char>(after[1])) != 0)));
    if (depth == 0 && ends) {
      return std::string(description.substr(0, i));
    }
  }
  return std::string(description);
}

}  // namespace asyncdemo
