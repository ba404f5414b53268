// The runner is a Python program because the application's tests are Python (upstream's
// SSFApplicationTestInterface, given a requests.Session), and the built-in checks must share that
// session: their login's cookie is what authorises the application's requests. It is given the
// same config fields as a worker's init frame (apphost/frames.cpp), so that
// create_ssf_application_test_instance(ssf_config) sees what the application's factory sees.

#include "test_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "apphost/apphost.h"
#include "types/types.h"

namespace ssf::cli {

namespace {

using config::Value;

constexpr std::string_view kMark = "\x1essf-test ";

Value strings(const std::vector<std::string>& items) {
  Value::List out;
  for (const auto& item : items) out.push_back(Value::string(item));
  return Value::list(std::move(out));
}

Value optional_string(const std::optional<std::string>& s) {
  return s ? Value::string(*s) : Value();
}

Value application_value(const config::Config& config) {
  const auto& app = config.application;
  std::vector<std::string> syspaths;
  for (const auto& p : app.syspaths) syspaths.push_back(p.string());
  return Value::map({
      {"id", Value::string(app.id)},
      {"name", Value::string(app.name)},
      {"desc", Value::string(app.desc)},
      {"description", Value::string(app.desc)},
      {"version", Value::string(app.version)},
      {"license_name", optional_string(app.license_name)},
      {"license_url", optional_string(app.license_url)},
      {"terms_of_service", optional_string(app.terms_of_service)},
      {"file", Value::string(app.module.string())},
      {"dir", Value::string(app.dir.string())},
      {"file_dir", Value::string(app.file_dir.string())},
      {"venv_dir", Value::string(app.venv_dir.string())},
      {"ipus", Value::integer(app.ipus)},
      {"max_batch_size", Value::integer(app.max_batch_size)},
      {"startup_timeout", Value::integer(app.startup_timeout)},
      {"trace", Value::boolean(app.trace)},
      {"artifacts", strings(app.artifacts)},
      {"syspaths", strings(syspaths)},
  });
}

std::string runner_spec(const Context& context, const TestTarget& target) {
  const config::Config& config = context.config;
  const config::Options& options = context.options;
  const auto& app = config.application;
  // Inserted one by one at the front of sys.path: syspaths in declared order, then the module's
  // directory, then the config's (upstream's priority, as the worker does it).
  std::vector<std::string> syspaths = {app.dir.string(), app.file_dir.string()};
  for (auto it = app.syspaths.rbegin(); it != app.syspaths.rend(); ++it) {
    syspaths.push_back(it->string());
  }
  auto file_level = log::parse_level(options.file_log_level).value_or(log::Level::Debug);
  auto out_level = log::parse_level(options.stdout_log_level).value_or(log::Level::Info);
  Value spec = Value::map({
      {"url", Value::string(target.url)},
      {"key", Value::string(target.key.reveal())},
      {"security", Value::string(target.security == TestTarget::Security::Probe ? "probe" : "yes")},
      {"container", optional_string(target.container)},
      {"startup_timeout", Value::integer(app.startup_timeout)},
      {"log_level", Value::integer(static_cast<int>(std::min(file_level, out_level)))},
      {"config", config.dict.is_null() ? Value::map() : config.dict},
      {"args", options.to_value()},
      {"unknown_args", strings(options.unknown_args)},
      {"config_file", Value::string(config.file.string())},
      {"api", Value::string(options.api)},
      {"application", application_value(config)},
      {"syspaths", strings(syspaths)},
  });
  return spec.to_json();
}

log::Level level_of(int64_t python_level) {
  if (python_level >= 50) return log::Level::Critical;
  if (python_level >= 40) return log::Level::Error;
  if (python_level >= 30) return log::Level::Warning;
  if (python_level >= 20) return log::Level::Info;
  return log::Level::Debug;
}

std::string string_field(const Value& report, std::string_view key) {
  const Value* v = report.find(key);
  return v && v->kind() == Value::Kind::String ? v->as_string() : std::string();
}

// Reads the runner's reports from its report pipe on a thread of its own while run_process
// waits, so that each record reaches the log (and the terminal) when it happens: a readiness
// wait or a long application test is followed live, with true timestamps.
class ReportReader {
 public:
  explicit ReportReader(int fd) : fd_(fd), thread_([this] { read_all(); }) {}
  ~ReportReader() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  ReportReader(const ReportReader&) = delete;
  ReportReader& operator=(const ReportReader&) = delete;

  // Call once every write end is closed: waits for the rest (EOF), then returns what was read.
  TestCounts finish(std::optional<Error>& failure) {
    thread_.join();
    failure = std::move(failure_);
    return counts_;
  }

 private:
  void read_all() {
    std::string pending;
    char buf[8192];
    while (true) {
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending.append(buf, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        handle(std::string_view(pending).substr(start, nl - start));
      }
      pending.erase(0, start);
    }
    if (!pending.empty()) handle(pending);
  }

  void handle(std::string_view line) {
    if (starts_with(line, kMark)) line.remove_prefix(kMark.size());
    auto report = types::parse_json(line);
    if (!report || report->kind() != Value::Kind::Map) {
      log::warning("Unreadable test runner report: {}", line);
      return;
    }
    std::string op = string_field(*report, "op");
    if (op == "log") {
      const Value* level = report->find("level");
      int64_t python_level = level && level->kind() == Value::Kind::Int ? level->as_int() : 20;
      log::write({level_of(python_level), string_field(*report, "msg"), "_test_runner.py", 0});
    } else if (op == "subtest") {
      const Value* ok = report->find("ok");
      (ok && ok->kind() == Value::Kind::Bool && ok->as_bool() ? counts_.ok : counts_.ko)++;
    } else if (op == "failed") {
      const Value* code = report->find("code");
      auto result = code && code->kind() == Value::Kind::Int
                        ? static_cast<ResultCode>(code->as_int())
                        : ResultCode::InternalError;
      failure_ = Error(result, string_field(*report, "message"));
    }
  }

  int fd_;
  TestCounts counts_;             // written by the thread only, read after join
  std::optional<Error> failure_;  // likewise
  std::thread thread_;            // last: started once the members above exist
};

}  // namespace

Result<TestCounts> run_checks(const Context& context, const TestTarget& target) {
  auto shim = apphost::find_shim_dir();
  if (!shim) return std::move(shim).error();
  std::string python_path = shim->string();
  if (const char* existing = std::getenv("PYTHONPATH"); existing && *existing) {
    python_path += ":" + std::string(existing);
  }
  // The report pipe: its write end is the runner's $SSF_TEST_REPORT_FD, the one descriptor it
  // inherits beyond stdio (gc-ssf runs nothing else meanwhile); we close our copy once it exits.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Error(ResultCode::InternalError, std::string("pipe: ") + strerror(errno));
  }
  fcntl(fds[1], F_SETFD, 0);
  ProcessOptions po;
  po.cwd = context.config.application.file_dir;
  po.env = {{"PYTHONPATH", python_path},
            {"PYTHONUNBUFFERED", "1"},
            {"SSF_TEST_REPORT_FD", std::to_string(fds[1])}};
  po.stdin_data = runner_spec(context, target);  // holds the key: stdin, never argv
  std::vector<std::string> argv = {apphost::python_for(context.config).string(), "-m",
                                   "ssf._test_runner"};
  log::debug("Running {}", join(argv, " "));
  ReportReader reader(fds[0]);
  auto out = run_process(argv, po);
  close(fds[1]);
  std::optional<Error> failure;
  TestCounts counts = reader.finish(failure);
  if (!out) return std::move(out).error().with_context("test runner");
  // Whatever the runner or the application wrote to stdout or stderr (prints, tracebacks).
  for (const auto& line : split(out->out, '\n')) {
    if (!trim(line).empty()) log::info("{}", line);
  }
  if (failure) return std::move(*failure);
  if (out->exit_code != 0) {
    return Error(ResultCode::InternalError,
                 fmt::format("the test runner ({}) exited with {}", argv[0], out->exit_code));
  }
  return counts;
}

}  // namespace ssf::cli
