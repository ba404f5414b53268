#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "core/core.h"

namespace ssf {
namespace {

struct LogFile {
  TempDir dir = std::move(TempDir::create("progress-test-").value());
  LogFile() { log::init({dir.path() / "ssf.log", log::Level::Debug, log::Level::Critical, false}); }
  ~LogFile() {
    log::shutdown();
    log::set_levels(log::Level::Debug, log::Level::Info);
  }
  std::string text() const { return read_file(dir.path() / "ssf.log").value(); }
};

size_t count(const std::string& text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("progress: sizes print in decimal units") {
  CHECK(Progress::format_bytes(0) == "0 B");
  CHECK(Progress::format_bytes(999) == "999 B");
  CHECK(Progress::format_bytes(1500) == "1.5 kB");
  CHECK(Progress::format_bytes(48'300'000) == "48.3 MB");
  CHECK(Progress::format_bytes(2'500'000'000ULL) == "2.50 GB");
}

TEST_CASE("progress: each finished item logs exactly one line, with its size when bytes moved") {
  LogFile log_file;
  {
    Progress progress("push reg/app:1", 2);
    auto a = progress.start("sha256:aaaa", 2000);
    auto b = progress.start("config");
    progress.advance(a, 1500);
    progress.advance(a, 500);
    progress.finish(a, "uploaded");
    progress.finish(b, "skipped: already in the registry");
    progress.finish(b, "twice");  // an unknown or finished item is ignored
  }
  std::string text = log_file.text();
  CHECK(count(text, "push reg/app:1: sha256:aaaa: uploaded 2.0 kB in ") == 1);
  CHECK(count(text, "push reg/app:1: config: skipped: already in the registry (") == 1);
  CHECK(count(text, "twice") == 0);
  CHECK(text.find("\033[K") == std::string::npos);  // no terminal control codes in the file
}

TEST_CASE("progress: items reported from several threads each get their line") {
  LogFile log_file;
  {
    Progress progress("pull", 8);
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&progress, i] {
        auto id = progress.start(fmt::format("blob{}", i), 100);
        for (int j = 0; j < 100; ++j) progress.advance(id, 1);
        progress.finish(id, "downloaded");
      });
    }
    for (auto& t : threads) t.join();
  }
  CHECK(count(log_file.text(), ": downloaded 100 B in ") == 8);
}

}  // namespace ssf
