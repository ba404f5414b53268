// Fleets: hosts rolled `batch_size` at a time, the hosts of a batch in parallel, stopping after
// the first batch with a failure (the hosts already done keep the new version, as in Kamal).

#include <algorithm>
#include <thread>

#include "deploy/deploy.h"

namespace ssf::deploy {

Status for_fleet(const std::vector<std::string>& hosts, int batch_size, const ConnectFn& connect,
                 const ActionFn& action, std::vector<HostReport>& reports) {
  reports.assign(hosts.size(), HostReport{});
  for (size_t i = 0; i < hosts.size(); ++i) reports[i].host = hosts[i];
  std::vector<std::optional<Error>> errors(hosts.size());
  const size_t batch = static_cast<size_t>(std::max(1, batch_size));

  auto one = [&](size_t i) {
    auto runner = connect(hosts[i]);
    if (!runner) {
      reports[i].outcome = HostReport::Outcome::Failed;
      reports[i].detail = runner.error().message();
      errors[i] = Error(ResultCode::GcoreDeploymentError, runner.error().message());
      return;
    }
    if (auto done = action(**runner, reports[i]); !done) {
      errors[i] = std::move(done).error();
      if (reports[i].outcome == HostReport::Outcome::NotAttempted) {
        reports[i].outcome = HostReport::Outcome::Failed;
        reports[i].detail = errors[i]->message();
      }
    }
    reports[i].host = hosts[i];
  };

  for (size_t first = 0; first < hosts.size(); first += batch) {
    const size_t last = std::min(hosts.size(), first + batch);
    if (last - first == 1) {
      one(first);
    } else {
      std::vector<std::thread> threads;
      for (size_t i = first; i < last; ++i) threads.emplace_back(one, i);
      for (auto& t : threads) t.join();
    }
    for (size_t i = first; i < last; ++i) {
      if (errors[i]) {
        if (last < hosts.size()) {
          log::error("Stopping: {} of {} hosts not attempted after the failure on {}",
                     hosts.size() - last, hosts.size(), hosts[i]);
        }
        return std::move(*errors[i]);
      }
    }
  }
  return {};
}

}  // namespace ssf::deploy
