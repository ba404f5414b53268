#pragma once
// The one logging facade. `main` calls init(); everything else calls debug()..critical().
//
// A line reads as upstream's (ssf-behaviour.md §5.10), so that scripts grepping ssf.log keep working:
//   2026-11-28 10:00:00,123 4242       INFO      > ==== Build ==== (build.cpp:31)
// Sinks: `ssf.log` in the working directory (truncated by init, level --file-log-level) and the
// terminal: records at --stdout-log-level and up to WARNING on stdout, ERROR and up on stderr.
// Colours (headings, i.e. messages starting with '>', bold green; warnings yellow; errors red) are
// used only on a terminal and never written to the file.
//
// Secrets: every value passed to add_secret() is replaced by "********" in every later record, in
// every sink, whoever logs it. Thread-safe: records from any thread are written whole.
//
// fmt appears in this header on purpose: it is the stand-in for C++20's <format>, which the
// project's compiler (g++ 12) lacks.

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>

namespace ssf::log {

// Numbers as Python's logging, since workers report their records' levels that way.
enum class Level { Debug = 10, Info = 20, Warning = 30, Error = 40, Critical = 50 };

// "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL" (upstream's choices); nullopt otherwise.
std::optional<Level> parse_level(std::string_view name);
std::string_view level_name(Level level);

struct Options {
  std::filesystem::path file = "ssf.log";  // empty: no file sink
  Level file_level = Level::Debug;
  Level stdout_level = Level::Info;
  std::optional<bool> color;  // default: when stdout is a terminal and NO_COLOR is unset
};

// (Re)opens the file sink, truncating it. Before init, records go to the terminal only.
void init(const Options& options);
void set_levels(Level file_level, Level stdout_level);
// Flushes and closes the file sink.
void shutdown();

// Registers a secret to redact from every later record. Empty values are ignored.
void add_secret(std::string value);
// The live status line under the log on a terminal (progress.h draws it): every record written to
// the terminal first clears it and then redraws it below itself, so the two never garble each
// other. An empty text removes it. Never written to ssf.log; a no-op when stdout is not a terminal.
void set_status_line(std::string text);
// Whether a status line would be shown: stdout is a terminal and CI is unset.
bool status_line_enabled();

// Returns text with every registered secret replaced.
std::string redact(std::string text);

struct Record {
  Level level = Level::Info;
  std::string message;
  std::string_view file;  // basename is shown
  int line = 0;
  int pid = 0;  // 0: this process; a worker's records carry the worker's pid
};
void write(Record record);
// Whether a record at `level` would reach any sink: callers skip formatting when it would not.
bool enabled(Level level);

// A format string that remembers where it was written, for the "(file:line)" suffix.
template <typename... Args>
struct LocatedFormat {
  template <typename S>
  consteval LocatedFormat(const S& text,  // NOLINT: implicit by design
                          std::source_location where = std::source_location::current())
      : format(text), location(where) {}
  fmt::format_string<Args...> format;
  std::source_location location;
};

template <typename... Args>
void emit(Level level, const LocatedFormat<std::type_identity_t<Args>...>& f, Args&&... args) {
  if (!enabled(level)) return;
  write(Record{level, fmt::format(f.format, std::forward<Args>(args)...), f.location.file_name(),
               static_cast<int>(f.location.line()), 0});
}

template <typename... Args>
void debug(LocatedFormat<std::type_identity_t<Args>...> f, Args&&... args) {
  emit<Args...>(Level::Debug, f, std::forward<Args>(args)...);
}
template <typename... Args>
void info(LocatedFormat<std::type_identity_t<Args>...> f, Args&&... args) {
  emit<Args...>(Level::Info, f, std::forward<Args>(args)...);
}
template <typename... Args>
void warning(LocatedFormat<std::type_identity_t<Args>...> f, Args&&... args) {
  emit<Args...>(Level::Warning, f, std::forward<Args>(args)...);
}
template <typename... Args>
void error(LocatedFormat<std::type_identity_t<Args>...> f, Args&&... args) {
  emit<Args...>(Level::Error, f, std::forward<Args>(args)...);
}
template <typename... Args>
void critical(LocatedFormat<std::type_identity_t<Args>...> f, Args&&... args) {
  emit<Args...>(Level::Critical, f, std::forward<Args>(args)...);
}

}  // namespace ssf::log
