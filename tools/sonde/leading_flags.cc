#include "leading_flags.h"

#include <iterator>

namespace sonde::tools {

namespace {

const CLI::App* FindSubcommand(const CLI::App& app, const std::string& name) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(name)) return sub;
  }
  return nullptr;
}

// The option named by `token` ("--db", "-v"; "--db=DIR" names "--db") in
// `app` or any of its subcommands, or null.
const CLI::Option* FindOption(const CLI::App& app, const std::string& token) {
  const std::string name = token.substr(0, token.find('='));
  if (const CLI::Option* option = app.get_option_no_throw(name)) return option;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (const CLI::Option* option = FindOption(*sub, name)) return option;
  }
  return nullptr;
}

// Whether the next argument is `token`'s value ("--db DIR", not "--db=DIR"
// nor a flag). An unknown option is taken to have none: CLI11 reports it.
bool TakesNextArgument(const CLI::App& app, const std::string& token) {
  if (token.find('=') != std::string::npos) return false;
  const CLI::Option* option = FindOption(app, token);
  return option != nullptr && option->get_expected_min() > 0;
}

}  // namespace

std::vector<std::string> MoveLeadingFlags(const CLI::App& app,
                                          const std::vector<std::string>& args) {
  std::vector<std::string> stay;  // The program, then the app's own flags.
  std::vector<std::string> move;  // Flags of a subcommand, with their values.
  size_t i = 0;
  if (!args.empty()) stay.push_back(args[i++]);
  while (i < args.size() && args[i].size() > 1 && args[i][0] == '-' && args[i] != "--") {
    const size_t n = TakesNextArgument(app, args[i]) && i + 1 < args.size() ? 2 : 1;
    const std::string name = args[i].substr(0, args[i].find('='));
    std::vector<std::string>& to = app.get_option_no_throw(name) != nullptr ? stay : move;
    to.insert(to.end(), args.begin() + static_cast<std::ptrdiff_t>(i),
              args.begin() + static_cast<std::ptrdiff_t>(i + n));
    i += n;
  }
  const CLI::App* sub = i < args.size() ? FindSubcommand(app, args[i]) : nullptr;
  if (move.empty() || sub == nullptr) return args;
  stay.push_back(args[i++]);
  while (i < args.size() && (sub = FindSubcommand(*sub, args[i])) != nullptr) {
    stay.push_back(args[i++]);
  }
  stay.insert(stay.end(), move.begin(), move.end());
  stay.insert(stay.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return stay;
}

}  // namespace sonde::tools
