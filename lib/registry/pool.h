#pragma once
// Runs `work(client, i)` for i in [0, count) on up to `threads` threads, each with its own
// HttpClient (its own connections). Stops handing out work at the first error and returns it
// after every running item has finished; items are handed out in order. Internal.

#include <cstddef>
#include <functional>

#include "core/core.h"
#include "registry/http.h"

namespace ssf::registry {

Status run_parallel(size_t count, int threads, const TlsOptions& tls,
                    const std::function<Status(HttpClient&, size_t)>& work);

}  // namespace ssf::registry
