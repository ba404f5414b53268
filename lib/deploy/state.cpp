// The on-host state, read from `docker ps -a` (commands::list): the deployment's containers.

#include <algorithm>
#include <charconv>

#include "deploy/deploy.h"

namespace ssf::deploy {

Result<HostState> parse_state(std::string_view name, std::string_view ps_output) {
  HostState state;
  for (const auto& line : split(ps_output, '\n')) {
    if (trim(line).empty()) continue;
    auto fields = split(line, '\t');
    if (fields.size() != 5) {
      return Error(ResultCode::GcoreDeploymentError,
                   fmt::format("unexpected line from docker ps: '{}'", line));
    }
    const std::string& container = fields[0];
    const std::string& label_name = fields[1];
    // Ours carry the label; upstream's boot script names its container <name> and labels nothing.
    if (label_name != name && !(label_name.empty() && container == name)) continue;
    Container c;
    c.name = container;
    if (!fields[2].empty()) {
      auto [end, ec] = std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(),
                                       c.release);
      if (ec != std::errc() || end != fields[2].data() + fields[2].size()) c.release = 0;
    }
    c.state = fields[3];
    c.image = fields[4];
    state.containers.push_back(std::move(c));
  }
  std::stable_sort(state.containers.begin(), state.containers.end(),
                   [](const Container& a, const Container& b) { return a.release < b.release; });
  return state;
}

const Container* HostState::live(std::string_view name) const {
  const Container* newest_running = nullptr;
  for (const auto& c : containers) {
    if (!c.running()) continue;
    if (c.name == name) return &c;
    newest_running = &c;
  }
  return newest_running;
}

int HostState::newest_release() const {
  int newest = 0;
  for (const auto& c : containers) newest = std::max(newest, c.release);
  return newest;
}

}  // namespace ssf::deploy
