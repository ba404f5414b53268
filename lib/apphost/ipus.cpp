// Accelerator check before run and test, as upstream's ipu_count_ok (ssf/utils.py).

#include <charconv>

#include "apphost/apphost.h"

namespace ssf::apphost {
namespace {

// `gc-info --ipu-count`; 0 without IPU tooling, on failure, or on output that is not a number
// (upstream's get_ipu_count).
int ipu_count() {
  auto out = run_process({"gc-info", "--ipu-count"});
  if (!out) {
    log::debug("Failed get_ipu_count ({})", out.error().message());
    return 0;
  }
  if (out->exit_code != 0) return 0;
  auto text = trim(out->out);
  int count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc() || end != text.data() + text.size()) return 0;
  return count;
}

}  // namespace

Status check_ipus(const config::Config& config, int instances, std::string_view step) {
  int required = config.application.ipus * instances;
  if (required < 1) {
    log::debug("Application has no specific IPU requirement");
    return {};
  }
  int available = ipu_count();
  if (available >= required) {
    log::debug("IPUs {} satisfies application with {}", available, required);
    return {};
  }
  std::string message =
      fmt::format("Insufficient IPUs - needs to perform {} step. Required {}, available {}.", step,
                  required, available);
  log::error("{}", message);
  return Error(ResultCode::UnmetRequirement, "IPUs count does not match application requirements.");
}

}  // namespace ssf::apphost
