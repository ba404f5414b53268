#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "core/core.h"

namespace ssf {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const fs::path& file) {
  log::flush();
  Result<std::string> text = read_file(file);
  REQUIRE(text.has_value());
  std::vector<std::string> lines = split(text.value(), '\n');
  REQUIRE(lines.back().empty());  // every record ends its line
  lines.pop_back();
  return lines;
}

// Points the log at a fresh file for one test and closes it afterwards, so that tests do not
// see each other's records. The terminal gets errors only (they always go to stderr).
class LogToFile {
 public:
  explicit LogToFile(log::Level file_level = log::Level::Debug, std::optional<bool> color = false) {
    Result<TempDir> dir = TempDir::create("log-test-");
    REQUIRE(dir.has_value());
    dir_.emplace(std::move(dir).value());
    file_ = dir_->path() / "ssf.log";
    log::init({file_, file_level, log::Level::Critical, color});
  }
  ~LogToFile() {
    log::shutdown();
    log::set_levels(log::Level::Debug, log::Level::Info);
  }
  const fs::path& file() const { return file_; }

 private:
  std::optional<TempDir> dir_;
  fs::path file_;
};

}  // namespace

TEST_CASE("parse_level and level_name use upstream's names", "[log]") {
  CHECK(log::parse_level("DEBUG") == log::Level::Debug);
  CHECK(log::parse_level("INFO") == log::Level::Info);
  CHECK(log::parse_level("WARNING") == log::Level::Warning);
  CHECK(log::parse_level("ERROR") == log::Level::Error);
  CHECK(log::parse_level("CRITICAL") == log::Level::Critical);
  CHECK_FALSE(log::parse_level("info").has_value());
  CHECK_FALSE(log::parse_level("WARN").has_value());
  CHECK_FALSE(log::parse_level("").has_value());
  CHECK(log::level_name(log::Level::Warning) == "WARNING");
  CHECK(static_cast<int>(log::Level::Critical) == 50);  // Python's numbers
}

TEST_CASE("a file line reads as upstream's format", "[log]") {
  // %(asctime)s %(process)-10.10s %(levelname)-8.8s  %(message)s (%(filename)s:%(lineno)d)
  const std::regex format(
      R"(^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) (.{10}) (.{8})  (.*) \(([^ /]+):(\d+)\)$)");
  LogToFile log_file;
  const int line = __LINE__ + 1;
  log::info("> ==== Build {} ====", 42);
  log::write({log::Level::Critical, "from a worker", "/src/app/my_application.py", 7, 31337});
  log::shutdown();

  std::vector<std::string> lines = lines_of(log_file.file());
  REQUIRE(lines.size() == 2);
  std::smatch m;
  REQUIRE(std::regex_match(lines[0], m, format));
  CHECK(m[2] == fmt::format("{:<10}", getpid()));
  CHECK(m[3] == "INFO    ");
  CHECK(m[4] == "> ==== Build 42 ====");
  CHECK(m[5] == "log_test.cpp");  // the basename, as %(filename)s
  CHECK(m[6] == std::to_string(line));

  REQUIRE(std::regex_match(lines[1], m, format));
  CHECK(m[2] == "31337     ");  // a worker's record carries the worker's pid
  CHECK(m[3] == "CRITICAL");
  CHECK(m[4] == "from a worker");
  CHECK(m[5] == "my_application.py");
  CHECK(m[6] == "7");
}

TEST_CASE("the process field is cut to 10 characters", "[log]") {
  LogToFile log_file;
  log::write({log::Level::Warning, "m", "f.cpp", 1, 2147483647});
  log::shutdown();
  std::vector<std::string> lines = lines_of(log_file.file());
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].substr(24) == "2147483647 WARNING   m (f.cpp:1)");
}

TEST_CASE("init truncates the file", "[log]") {
  LogToFile log_file;
  log::info("first run");
  log::init({log_file.file(), log::Level::Debug, log::Level::Critical, false});
  log::info("second run");
  log::shutdown();
  std::vector<std::string> lines = lines_of(log_file.file());
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("second run"));
}

TEST_CASE("the file level filters what reaches the file", "[log]") {
  LogToFile log_file(log::Level::Warning);
  log::debug("record {}", "debug");
  log::info("record {}", "info");
  log::warning("record {}", "warning");
  log::error("record {} (an expected test record)", "error");
  log::set_levels(log::Level::Debug, log::Level::Critical);
  log::debug("record {}", "debug again");
  log::shutdown();

  std::vector<std::string> lines = lines_of(log_file.file());
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[0], Catch::Contains(" WARNING   record warning "));
  CHECK_THAT(lines[1], Catch::Contains(" ERROR     record error "));
  CHECK_THAT(lines[2], Catch::Contains(" DEBUG     record debug again "));
}

TEST_CASE("secrets are redacted in the file", "[log]") {
  LogToFile log_file;
  log::add_secret("s3cr3t-log-test-value");
  Secret api_key("api-key-log-test-value");
  log::add_secret("");  // ignored: it would otherwise match everywhere
  log::info("login with s3cr3t-log-test-value then s3cr3t-log-test-value");
  log::info("api key {} and {}", api_key.reveal(), api_key);
  log::write({log::Level::Info, "worker says api-key-log-test-value", "w.py", 3, 1});
  log::shutdown();

  log::flush();
  const std::string text = read_file(log_file.file()).value();
  CHECK_THAT(text, !Catch::Contains("s3cr3t-log-test-value"));
  CHECK_THAT(text, !Catch::Contains("api-key-log-test-value"));
  std::vector<std::string> lines = lines_of(log_file.file());
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[0], Catch::Contains("  login with ******** then ******** ("));
  CHECK_THAT(lines[1], Catch::Contains("  api key ******** and ******** ("));
  CHECK_THAT(lines[2], Catch::Contains("  worker says ******** ("));
  CHECK(log::redact("x s3cr3t-log-test-value y") == "x ******** y");
  CHECK(fmt::format("{}", api_key) == "********");
}

TEST_CASE("the file gets no colour codes, even when colour is on", "[log]") {
  LogToFile log_file(log::Level::Debug, true);
  log::info("> ==== Heading ====");
  log::warning("a warning");
  log::error("an error (an expected test record)");
  log::shutdown();
  log::flush();
  const std::string text = read_file(log_file.file()).value();
  CHECK(lines_of(log_file.file()).size() == 3);
  CHECK(text.find('\033') == std::string::npos);
}

TEST_CASE("an empty file option writes no file", "[log]") {
  Result<TempDir> dir = TempDir::create("log-test-");
  REQUIRE(dir.has_value());
  fs::path cwd = fs::current_path();
  fs::current_path(dir->path());
  log::init({"", log::Level::Debug, log::Level::Critical, false});
  log::info("nowhere");
  log::shutdown();
  fs::current_path(cwd);
  CHECK(fs::is_empty(dir->path()));
}

}  // namespace ssf
