// Implementation note: a mutex-guarded pair of sinks. Formatting happens outside the lock; only
// the writes are serialised, so a slow terminal never interleaves two records.

#include "core/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <atomic>
#include <mutex>
#include <vector>

namespace ssf::log {
namespace {

struct State {
  std::mutex mutex;
  FILE* file = nullptr;  // GUARDED_BY(mutex)
  std::atomic<Level> file_level{Level::Debug};
  std::atomic<Level> stdout_level{Level::Info};
  std::atomic<bool> has_file{false};
  bool color_stdout = false;
  bool color_stderr = false;
  std::vector<std::string> secrets;  // GUARDED_BY(mutex)
  std::string status_line;           // GUARDED_BY(mutex); shown on stdout only
  bool status_shown = false;         // GUARDED_BY(mutex)
};

State& state() {
  static State* s = new State;  // never destroyed: records may come from threads during exit
  return *s;
}

constexpr const char* kReset = "\033[0m";
constexpr const char* kClearLine = "\r\033[K";
constexpr const char* kGreen = "\033[1;32m";
constexpr const char* kYellow = "\033[1;33m";
constexpr const char* kRed = "\033[1;31m";

std::string_view basename(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Python logging's asctime: "2026-11-28 10:00:00,123" in local time.
std::string timestamp() {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  tm local{};
  localtime_r(&tv.tv_sec, &local);
  char buf[32];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &local);
  return fmt::format("{},{:03d}", std::string_view(buf, n), static_cast<int>(tv.tv_usec / 1000));
}

std::string format_line(const Record& r) {
  // %(process)-10.10s %(levelname)-8.8s: pad and cut to 10 and 8 characters.
  std::string pid = std::to_string(r.pid ? r.pid : getpid());
  std::string level(level_name(r.level));
  return fmt::format("{} {:<10.10} {:<8.8}  {} ({}:{})\n", timestamp(), pid, level, r.message,
                     basename(r.file), r.line);
}

const char* color_of(const Record& r) {
  if (!r.message.empty() && r.message[0] == '>') return kGreen;
  switch (r.level) {
    case Level::Warning: return kYellow;
    case Level::Error: return kRed;
    case Level::Critical: return kRed;
    default: return nullptr;
  }
}

void replace_all(std::string& text, const std::string& what, std::string_view with) {
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  if (name == "DEBUG") return Level::Debug;
  if (name == "INFO") return Level::Info;
  if (name == "WARNING") return Level::Warning;
  if (name == "ERROR") return Level::Error;
  if (name == "CRITICAL") return Level::Critical;
  return std::nullopt;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::Debug: return "DEBUG";
    case Level::Info: return "INFO";
    case Level::Warning: return "WARNING";
    case Level::Error: return "ERROR";
    case Level::Critical: return "CRITICAL";
  }
  return "INFO";
}

void init(const Options& options) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.file) fclose(s.file);
  s.file = options.file.empty() ? nullptr : fopen(options.file.c_str(), "w");
  s.has_file = s.file != nullptr;
  if (!options.file.empty() && !s.file) {
    fprintf(stderr, "gc-ssf: cannot write log file %s; logging to the terminal only\n",
            options.file.c_str());
  }
  s.file_level = options.file_level;
  s.stdout_level = options.stdout_level;
  bool no_color = getenv("NO_COLOR") != nullptr;
  s.color_stdout = options.color.value_or(isatty(STDOUT_FILENO) && !no_color);
  s.color_stderr = options.color.value_or(isatty(STDERR_FILENO) && !no_color);
}

void set_levels(Level file_level, Level stdout_level) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.file_level = file_level;
  s.stdout_level = stdout_level;
}

void shutdown() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.file) fclose(s.file);
  s.file = nullptr;
  s.has_file = false;
}

void add_secret(std::string value) {
  if (value.empty()) return;
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.secrets.push_back(std::move(value));
}

std::string redact(std::string text) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  for (const auto& secret : s.secrets) replace_all(text, secret, "********");
  return text;
}

bool enabled(Level level) {
  State& s = state();
  // Read without the lock: levels change only at start-up, and a stale read costs one record.
  return level >= Level::Error || level >= s.stdout_level.load(std::memory_order_relaxed) ||
         (level >= s.file_level.load(std::memory_order_relaxed) && s.has_file.load(std::memory_order_relaxed));
}

void write(Record record) {
  record.message = redact(std::move(record.message));
  std::string line = format_line(record);
  const char* color = color_of(record);

  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.file && record.level >= s.file_level) {
    fputs(line.c_str(), s.file);
    fflush(s.file);  // a crash must not lose the lines that explain it
  }
  // The colour ends before the newline, so that a terminal never carries it to the next line.
  auto put = [&](FILE* stream, bool use_color) {
    if (use_color && color) {
      fprintf(stream, "%s%.*s%s\n", color, static_cast<int>(line.size() - 1), line.c_str(), kReset);
    } else {
      fputs(line.c_str(), stream);
    }
  };
  bool to_terminal = record.level >= Level::Error || record.level >= s.stdout_level;
  if (to_terminal && s.status_shown) {
    fputs(kClearLine, stdout);
    s.status_shown = false;
  }
  if (record.level >= Level::Error) {
    put(stderr, s.color_stderr);
  } else if (record.level >= s.stdout_level) {
    put(stdout, s.color_stdout);
  }
  if (to_terminal && !s.status_line.empty()) {
    fputs(s.status_line.c_str(), stdout);
    s.status_shown = true;
  }
  if (to_terminal) fflush(stdout);
}

bool status_line_enabled() {
  static const bool enabled = isatty(STDOUT_FILENO) && getenv("CI") == nullptr;
  return enabled;
}

void set_status_line(std::string text) {
  if (!status_line_enabled()) return;
  text = redact(std::move(text));
  if (auto newline = text.find('\n'); newline != std::string::npos) text.resize(newline);
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.status_shown) fputs(kClearLine, stdout);
  s.status_line = std::move(text);
  s.status_shown = !s.status_line.empty();
  if (s.status_shown) fputs(s.status_line.c_str(), stdout);
  fflush(stdout);
}

}  // namespace ssf::log
