#include "registry/pool.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace ssf::registry {

Status run_parallel(size_t count, int threads, const TlsOptions& tls,
                    const std::function<Status(HttpClient&, size_t)>& work) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::optional<Error> first_error;  // guarded by mutex

  auto loop = [&] {
    HttpClient client(tls);
    while (!failed.load()) {
      size_t i = next.fetch_add(1);
      if (i >= count) return;
      Status status = work(client, i);
      if (!status) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = std::move(status).error();
        failed = true;
      }
    }
  };
  size_t n = std::clamp<size_t>(static_cast<size_t>(std::max(threads, 1)), 1, std::max<size_t>(count, 1));
  if (n == 1) {
    loop();
  } else {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < n; ++t) pool.emplace_back(loop);
    for (auto& t : pool) t.join();
  }
  if (first_error) return std::move(*first_error);
  return {};
}

}  // namespace ssf::registry
