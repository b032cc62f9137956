#include "sonde/service_cli.h"

#include <toml++/toml.h>

#include <cctype>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sonde/units.h"

#ifndef SONDE_VERSION
#define SONDE_VERSION "0.0.0"
#endif

namespace sonde {
namespace {

constexpr std::string_view kUnknownKeyPrefix = "INI was not able to parse ";

// CLI11's wording is written for INI files and generic parsers; the one
// stderr line should say what to fix in Sonde's terms.
std::string DescribeError(const CLI::ParseError& e, const std::string& config_file) {
  std::string what = e.what();
  if (e.get_name() == "ConfigError" && what.rfind(kUnknownKeyPrefix, 0) == 0) {
    std::string key = what.substr(kUnknownKeyPrefix.size());
    // CLI11 reports a [section] header as the pseudo key "section.++".
    if (key.size() > 3 && key.compare(key.size() - 3, 3, ".++") == 0) {
      return config_file + ": unknown section '[" + key.substr(0, key.size() - 3) +
             "]' (keys are the long flag names, without sections)";
    }
    return config_file + ": unknown key '" + key + "' (keys are the long flag names)";
  }
  if (e.get_name() == "FileError") return "--config " + what;
  if (e.get_name() == "ConfigError") return config_file + ":" + what;  // "file:3:1: ..."
  return what;
}

// CLI11's TOML reader is lenient: a repeated key silently keeps one value
// and a syntax slip may read as something else. The file is first read by a
// real TOML parser (toml++), whose error says where: "3:1: redefinition of
// 'udp'". CLI11 then reads the same text, so flags and keys stay one
// mechanism with the same checks.
//
// CLI11 keeps no positions, so this also records "line:column" of each value
// the file will really set into *positions: CLI11 applies a key only to an
// option still empty after the command line, which is parsed first.
class StrictTomlConfig : public CLI::ConfigTOML {
 public:
  // Both must outlive this object (ServiceCli owns all three).
  StrictTomlConfig(const CLI::App* app, std::map<const CLI::Option*, std::string>* positions)
      : app_(app), positions_(positions) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    const std::string text(std::istreambuf_iterator<char>(input), {});
    toml::table table;
    try {
      table = toml::parse(text);
    } catch (const toml::parse_error& e) {
      throw CLI::ConfigError(Position(e.source()) + ": " + std::string(e.description()));
    }
    RecordPositions(table);
    std::istringstream again(text);
    return CLI::ConfigTOML::from_config(again);
  }

 private:
  static std::string Position(const toml::source_region& region) {
    return std::to_string(region.begin.line) + ":" + std::to_string(region.begin.column);
  }

  void RecordPositions(const toml::table& table) const {
    positions_->clear();
    for (const auto& [key, node] : table) {
      const CLI::Option* opt = OptionForKey(std::string(key.str()));
      if (opt != nullptr && opt->empty()) positions_->emplace(opt, Position(node.source()));
    }
  }

  // The option CLI11 sets for a top-level key (CLI::App::_parse_single_config).
  const CLI::Option* OptionForKey(const std::string& key) const {
    const CLI::Option* opt = app_->get_option_no_throw("--" + key);
    if (opt == nullptr && key.size() == 1) opt = app_->get_option_no_throw("-" + key);
    if (opt == nullptr) opt = app_->get_option_no_throw(key);
    return opt;
  }

  const CLI::App* app_;
  std::map<const CLI::Option*, std::string>* positions_;
};

bool IsFlagChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

// The first flag a message names: "--pub-hwm" in "Could not convert:
// --pub-hwm = lots" (CLI11) or "--pub-hwm: 0 is out of range" (Validate()).
std::string FirstFlagIn(std::string_view message) {
  for (size_t at = message.find("--"); at != std::string_view::npos;
       at = message.find("--", at + 2)) {
    if (at > 0 && IsFlagChar(message[at - 1])) continue;
    size_t end = at + 2;
    while (end < message.size() && IsFlagChar(message[end])) ++end;
    if (end > at + 2) return std::string(message.substr(at, end - at));
  }
  return std::string();
}

CLI::Validator MakeUnitValidator(bool is_duration, bool transform) {
  return CLI::Validator(
      [is_duration, transform](std::string& value) -> std::string {
        if (is_duration) {
          auto d = ParseDuration(value);
          if (!d) return d.error().message();
          if (transform) value = std::to_string(d->count());
        } else {
          auto n = ParseByteSize(value);
          if (!n) return n.error().message();
          if (transform) value = std::to_string(*n);
        }
        return std::string();
      },
      // No description: the option's type name ("DURATION", "SIZE") says it.
      "", is_duration ? "duration" : "byte size");
}

std::string QuoteIfNeeded(const std::string& v) {
  if (!v.empty() && v.find_first_of(" \t\"=") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string_view SondeVersion() { return SONDE_VERSION; }

CLI::Validator DurationMsTransformer() { return MakeUnitValidator(true, true); }
CLI::Validator ByteSizeTransformer() { return MakeUnitValidator(false, true); }

CLI::Validator SecondsOrDurationMsTransformer() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        auto d = ParseSecondsOrDuration(value);
        if (!d) return d.error().message();
        value = std::to_string(d->count());
        return std::string();
      },
      "", "duration or seconds");
}

CLI::Option* AddSecondsOrDuration(CLI::App& app, const std::string& name,
                                  std::chrono::milliseconds* out, const std::string& help) {
  return app
      .add_option_function<std::string>(
          name,
          // The transformer has rewritten the value into milliseconds.
          [out](const std::string& ms) { *out = std::chrono::milliseconds(std::stoll(ms)); },
          help)
      ->transform(SecondsOrDurationMsTransformer())
      ->type_name("DURATION")
      ->default_str(FormatDuration(*out));
}

ServiceCli::ServiceCli(std::string binary, std::string description)
    : binary_(std::move(binary)), app_(std::move(description), binary_) {
  app_.set_config("--config", "",
                  "TOML config file; keys are the long flag names, flags given here win "
                  "(docs/config.md)")
      ->type_name("FILE");
  app_.allow_config_extras(CLI::config_extras_mode::error);
  app_.config_formatter(std::make_shared<StrictTomlConfig>(&app_, &config_positions_));
  app_.set_version_flag("--version", binary_ + " " + std::string(SondeVersion()));
  app_.add_option("--log-level", log_options_.level,
                  "Log levels, as SPDLOG_LEVEL: LEVEL or LEVEL,LOGGER=LEVEL,... "
                  "(trace debug info warn error critical off)")
      ->type_name("SPEC")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            auto spec = ParseLevelSpec(value);
            return spec ? std::string() : spec.error().message();
          },
          "", "log level spec"));
  app_.add_option("--log-file", log_options_.file,
                  "Also append logs to this file (reopened on SIGHUP)")
      ->type_name("PATH");
}

CLI::Option* ServiceCli::AddDuration(const std::string& name, std::chrono::milliseconds* out,
                                     const std::string& help) {
  return app_
      .add_option_function<std::string>(
          name,
          [out](const std::string& value) {
            // Already checked by the validator, so this cannot fail.
            *out = ParseDuration(value).value_or(*out);
          },
          help)
      ->check(MakeUnitValidator(/*is_duration=*/true, /*transform=*/false))
      ->type_name("DURATION")
      ->default_str(FormatDuration(*out));
}

CLI::Option* ServiceCli::AddByteSize(const std::string& name, uint64_t* out,
                                     const std::string& help) {
  return app_
      .add_option_function<std::string>(
          name, [out](const std::string& value) { *out = ParseByteSize(value).value_or(*out); },
          help)
      ->check(MakeUnitValidator(/*is_duration=*/false, /*transform=*/false))
      ->type_name("SIZE")
      ->default_str(FormatByteSize(*out));
}

std::optional<int> ServiceCli::Parse(int argc, const char* const* argv) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app_.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app_.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string config;
    try {
      config = config_file();
    } catch (const CLI::Error&) {
      config = "config file";
    }
    std::string message = DescribeError(e, config);
    // Config and file errors already name the file; a value's error names its flag.
    if (e.get_name() != "ConfigError" && e.get_name() != "FileError") {
      message = ConfigValuePosition(message) + message;
    }
    std::fprintf(stderr, "%s: error: %s (see --help)\n", binary_.c_str(), message.c_str());
    return 2;
  }
  return std::nullopt;
}

std::string ServiceCli::config_file() const {
  const CLI::Option* opt = app_.get_config_ptr();
  if (opt == nullptr || opt->count() == 0) return std::string();
  return opt->results().empty() ? std::string() : opt->results().front();
}

std::string ServiceCli::EffectiveConfig() const {
  std::string out;
  for (const CLI::Option* opt : app_.get_options()) {
    const std::string& name = opt->get_single_name();
    if (name.empty() || name == "help" || name == "help-all" || name == "version" ||
        name == "config") {
      continue;
    }
    std::string value;
    if (opt->count() > 0) {
      const auto& results = opt->results();
      for (size_t i = 0; i < results.size(); ++i) value += (i ? "," : "") + results[i];
    } else {
      value = opt->get_default_str();
    }
    if (!out.empty()) out += ' ';
    out += name + "=" + QuoteIfNeeded(value);
  }
  return out;
}

int ServiceCli::Fail(std::string_view message) const {
  const std::string position = ConfigValuePosition(message);
  std::fprintf(stderr, "%s: error: %s%.*s\n", binary_.c_str(), position.c_str(),
               static_cast<int>(message.size()), message.data());
  return 2;
}

std::string ServiceCli::ConfigValuePosition(std::string_view message) const {
  const std::string flag = FirstFlagIn(message);
  if (flag.empty()) return std::string();
  const CLI::Option* opt = app_.get_option_no_throw(flag);
  const auto it = config_positions_.find(opt);
  if (opt == nullptr || it == config_positions_.end()) return std::string();
  return config_file() + ":" + it->second + ": ";
}

}  // namespace sonde
