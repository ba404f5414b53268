// Benchmark: the CPU time authentication adds to one request, measured without the network, so
// that a shared, noisy machine cannot blur it. run.sh sets it beside the time one request takes
// at the measured throughput.
//   none             the guard of a server without --key (what every request pays: nothing)
//   key in query     --key, the key as ?api_key= (parse the query, hash, compare in constant time)
//   key in header    --key, the key as the api_key header
//   session cookie   --enable-session-authentication: parse the Cookie header, hash, look up
//
// Usage: bench_auth_guard [--smoke]    prints "<what> <ns per call>" lines

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "runtime/auth.h"

namespace {

using namespace ssf::runtime;

double ns_per_call(const Auth& auth, Exchange& exchange, int iterations) {
  auto start = std::chrono::steady_clock::now();
  int refused = 0;
  for (int i = 0; i < iterations; ++i) {
    if (auth.guard(exchange)) ++refused;
  }
  std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
  if (refused) std::fprintf(stderr, "unexpected: %d refused\n", refused);
  return elapsed.count() / iterations;
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = (argc > 1 && std::strcmp(argv[1], "--smoke") == 0) ? 1000 : 1000000;
  ssf::log::init({"", ssf::log::Level::Critical, ssf::log::Level::Critical, false});
  const std::string key = "bench-key-0123456789abcdef";

  ServerSettings none;
  Auth open(none, {});
  Exchange exchange;
  exchange.query = "x=1";
  std::printf("none %.1f\n", ns_per_call(open, exchange, iterations));

  ServerSettings keyed;
  keyed.api_key = ssf::Secret(key);
  Auth with_key(keyed, {});
  exchange.query = "api_key=" + key;
  std::printf("key_query %.1f\n", ns_per_call(with_key, exchange, iterations));
  exchange.query.clear();
  exchange.request.set("api_key", key);
  std::printf("key_header %.1f\n", ns_per_call(with_key, exchange, iterations));

  ServerSettings sessions;
  sessions.session_authentication = true;
  Auth with_sessions(sessions, {});
  SessionStore store(std::chrono::seconds(600));
  // The guard's own store is private: fill one like it, and time the same lookup through it.
  auto session = store.create("1", Clock::now());
  Exchange cookie;
  cookie.request.set(http::field::cookie, "session_key=" + *session + "; other=1");
  auto start = std::chrono::steady_clock::now();
  int found = 0;
  for (int i = 0; i < iterations; ++i) {
    auto value = cookie_value(cookie.request, "session_key");
    if (value && store.find(*value, Clock::now())) ++found;
  }
  std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
  if (found != iterations) std::fprintf(stderr, "unexpected: %d found\n", found);
  std::printf("session_cookie %.1f\n", elapsed.count() / iterations);
  return 0;
}
