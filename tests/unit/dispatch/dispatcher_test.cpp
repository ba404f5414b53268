#include "dispatch/dispatch.h"

#include <catch2/catch.hpp>

#include <future>

#include "fake_worker.h"

using namespace std::chrono_literals;
using ssf::dispatch::Dispatcher;
using ssf::dispatch::Outcome;
using ssf::dispatch::Request;
using ssf::dispatch::Settings;
using Kind = Outcome::Kind;

namespace {

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

std::future<Outcome> submit(Dispatcher& d, std::string params,
                            std::chrono::steady_clock::time_point deadline =
                                std::chrono::steady_clock::time_point::max()) {
  auto promise = std::make_shared<std::promise<Outcome>>();
  auto future = promise->get_future();
  d.submit(Request{std::move(params), "{}", deadline},
           [promise](Outcome o) { promise->set_value(std::move(o)); });
  return future;
}

Settings settings(int replicas = 1, int batch = 1) {
  Settings s;
  s.application_id = "test";
  s.replicas = replicas;
  s.max_batch_size = batch;
  s.batching_timeout = std::chrono::duration<double>(0.05);
  s.watchdog_ready_period = 0s;
  return s;
}

}  // namespace

TEST_CASE("requests are answered and health follows the replicas") {
  ssf::testing::FakeWorkerStats stats;
  Dispatcher d(settings(2), ssf::testing::fake_factory(stats), nullptr);
  CHECK_FALSE(d.health().ready);
  d.start();
  REQUIRE(wait_for([&] { return d.health().ready; }));
  CHECK(d.health().live);
  auto outcome = submit(d, R"({"x":1})").get();
  CHECK(outcome.kind == Kind::Ok);
  CHECK(outcome.result.outputs.find("params")->as_string() == R"({"x":1})");
  d.stop(1s);
  CHECK(stats.stopped == 2);
  CHECK(d.exit_code() == 0);
  CHECK(submit(d, "{}").get().kind == Kind::Unavailable);
}

TEST_CASE("batches form up to max_batch_size") {
  ssf::testing::FakeWorkerStats stats;
  Dispatcher d(settings(1, 4), ssf::testing::fake_factory(stats), nullptr);
  d.start();
  REQUIRE(wait_for([&] { return d.health().ready; }));
  std::vector<std::future<Outcome>> outcomes;
  for (int i = 0; i < 8; ++i) outcomes.push_back(submit(d, R"({"x":)" + std::to_string(i) + "}"));
  for (int i = 0; i < 8; ++i) {
    auto o = outcomes[static_cast<size_t>(i)].get();
    CHECK(o.result.outputs.find("params")->as_string() == R"({"x":)" + std::to_string(i) + "}");
  }
  // A lone request waits batching_timeout, then goes alone.
  CHECK(submit(d, R"({"x":9})").get().kind == Kind::Ok);
  std::lock_guard lock(stats.mutex);
  CHECK(stats.batch_sizes == std::vector<size_t>{4, 4, 1});
}

TEST_CASE("a failing request fails its batch only, and the replica comes back") {
  ssf::testing::FakeWorkerStats stats;
  std::atomic<int> errors{0};
  Dispatcher d(settings(1), ssf::testing::fake_factory(stats), [&](int code) {
    CHECK(code == 32);
    errors++;
  });
  d.start();
  REQUIRE(wait_for([&] { return d.health().ready; }));
  auto slow = submit(d, R"({"sleep_ms":50})");
  auto failing = submit(d, R"({"fail":1})");
  auto behind = submit(d, R"({"x":2})");  // pipelined behind the failure: requeued, then served
  CHECK(slow.get().kind == Kind::Ok);
  CHECK(failing.get().kind == Kind::Failed);
  CHECK(behind.get().kind == Kind::Ok);
  CHECK(stats.started == 2);
  CHECK(wait_for([&] { return errors == 1; }));
  CHECK(d.health().live);
  d.stop(1s);
  CHECK(d.exit_code() == 32);
}

TEST_CASE("a crashed replica fails the batch it was running") {
  ssf::testing::FakeWorkerStats stats;
  Dispatcher d(settings(1), ssf::testing::fake_factory(stats), nullptr);
  d.start();
  REQUIRE(wait_for([&] { return d.health().ready; }));
  CHECK(submit(d, R"({"crash":1})").get().kind == Kind::Failed);
  CHECK(submit(d, R"({"x":1})").get().kind == Kind::Ok);
  CHECK(stats.started == 2);
}

TEST_CASE("a replica failing past max_allowed_restarts is given up") {
  ssf::testing::FakeWorkerStats stats;
  auto s = settings(1);
  s.max_allowed_restarts = 2;
  Dispatcher d(s, ssf::testing::fake_factory(stats), nullptr);
  d.start();
  REQUIRE(wait_for([&] { return d.health().ready; }));
  CHECK(submit(d, R"({"fail":1})").get().kind == Kind::Failed);
  REQUIRE(wait_for([&] { return d.health().ready; }));
  CHECK(submit(d, R"({"fail":1})").get().kind == Kind::Failed);
  REQUIRE(wait_for([&] { return !d.health().live; }));
  CHECK_FALSE(d.health().ready);
  CHECK(submit(d, R"({"x":1})").get().kind == Kind::Unavailable);
}

TEST_CASE("a startup failure keeps the server up but not ready or live") {
  ssf::testing::FakeWorkerStats stats;
  stats.fail_startup = true;
  std::atomic<int> code{0};
  Dispatcher d(settings(2), ssf::testing::fake_factory(stats), [&](int c) { code = c; });
  d.start();
  REQUIRE(wait_for([&] { return d.health().started; }));
  CHECK_FALSE(d.health().ready);
  CHECK_FALSE(d.health().live);
  // on_error runs outside the dispatcher's lock, after the health flags change.
  CHECK(wait_for([&] { return code == 255; }));
  d.stop(1s);
  CHECK(d.exit_code() == 255);
}

TEST_CASE("the queue is bounded and requests expire") {
  ssf::testing::FakeWorkerStats stats;
  auto s = settings(1);
  s.max_queue = 2;
  s.pipeline_depth = 1;
  Dispatcher d(s, ssf::testing::fake_factory(stats), nullptr);
  d.start();
  REQUIRE(wait_for([&] { return d.health().ready; }));
  auto busy = submit(d, R"({"sleep_ms":300})");
  REQUIRE(wait_for([&] { return d.queued() == 0; }));
  auto expiring = submit(d, R"({"x":1})", std::chrono::steady_clock::now() + 50ms);
  auto queued = submit(d, R"({"x":2})");
  auto refused = submit(d, R"({"x":3})");
  CHECK(refused.get().kind == Kind::Overloaded);
  CHECK(expiring.get().kind == Kind::TimedOut);
  CHECK(busy.get().kind == Kind::Ok);
  CHECK(queued.get().kind == Kind::Ok);
}

TEST_CASE("idle replicas are watched, and a failing watchdog restarts the replica") {
  ssf::testing::FakeWorkerStats stats;
  auto s = settings(1);
  s.watchdog_ready_period = 1s;
  Dispatcher d(s, ssf::testing::fake_factory(stats), nullptr);
  d.start();
  REQUIRE(wait_for([&] { return d.health().ready; }));
  REQUIRE(wait_for([&] { return stats.watchdogs >= 1; }, 3s));
  stats.watchdog_code = 32;
  REQUIRE(wait_for([&] { return stats.started >= 2; }, 4s));
  d.stop(1s);
  CHECK(d.exit_code() == 32);
}

TEST_CASE("stop drains queued and in-flight requests") {
  ssf::testing::FakeWorkerStats stats;
  Dispatcher d(settings(1), ssf::testing::fake_factory(stats), nullptr);
  d.start();
  REQUIRE(wait_for([&] { return d.health().ready; }));
  std::vector<std::future<Outcome>> outcomes;
  for (int i = 0; i < 10; ++i) outcomes.push_back(submit(d, R"({"sleep_ms":5})"));
  d.stop(5s);
  for (auto& o : outcomes) CHECK(o.get().kind == Kind::Ok);
}
