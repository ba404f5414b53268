#include "test_container.h"

namespace ssf::cli::container {

namespace {

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? text : line;
}

}  // namespace

State state(const std::string& name) {
  auto out = run_process({"docker", "container", "inspect", "-f", "{{.State.Running}}", name});
  if (!out) {
    log::debug("Container {}: state unknown ({})", name, out.error().message());
    return State::Unknown;
  }
  std::string text = out->out;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (out->exit_code == 0 && text == "true") return State::Running;
  if (out->exit_code == 0 && text == "false") return State::Stopped;
  // "Error: No such container: <name>" (older clients: "Error response from daemon: No such
  // container"); anything else (no daemon, no permission) is not an answer about the container.
  if (out->exit_code != 0 && text.find("No such container") != std::string::npos) {
    return State::Absent;
  }
  log::debug("Container {}: state unknown (exit {}: {})", name, out->exit_code, first_line(text));
  return State::Unknown;
}

Status start(const std::string& name, const std::string& image, const std::string& ssf_options,
             int ipus) {
  std::vector<std::string> argv;
  if (ipus > 0) {
    argv = {"gc-docker", "--", "-d"};
  } else {
    argv = {"docker", "run", "-d", "--network", "host"};
  }
  // `--env NAME` without a value: docker copies the variable from its own environment.
  for (const char* word : {"--env", "SSF_OPTIONS", "--name"}) argv.emplace_back(word);
  argv.push_back(name);
  argv.push_back(image);
  ProcessOptions po;
  po.env = {{"SSF_OPTIONS", ssf_options}};
  log::debug("Running {}", join(argv, " "));
  auto out = run_process(argv, po);
  if (!out || out->exit_code != 0) {
    std::string why = out ? fmt::format("exit {}: {}", out->exit_code, first_line(out->out))
                          : out.error().message();
    return Error(ResultCode::DockerStatusError,
                 fmt::format("{} for {} {} errored ({})", ipus > 0 ? "gc-docker run" : "docker run",
                             name, image, why));
  }
  log::debug("Started container {}", first_line(out->out));
  return {};
}

void log_output(const std::string& name) {
  auto out = run_process({"docker", "logs", name});
  if (!out) {
    log::debug("docker logs {}: {}", name, out.error().message());
    return;
  }
  log::debug("{}", std::string(100, '='));
  for (const auto& line : split(out->out, '\n')) log::debug("{}", line);
  log::debug("{}", std::string(100, '='));
}

Status remove(const std::string& name) {
  auto out = run_process({"docker", "rm", "-f", name});
  if (!out || out->exit_code != 0) {
    return Error(ResultCode::DockerStatusError,
                 fmt::format("docker rm -f {} errored ({})", name,
                             out ? first_line(out->out) : out.error().message()));
  }
  return {};
}

}  // namespace ssf::cli::container
