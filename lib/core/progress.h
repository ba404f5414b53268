#pragma once
// Progress of long steps: image layers, blob uploads and downloads, deploy phases.
//
// On a terminal (stdout is a tty and CI is unset) the running items share one live status line
// under the log, redrawn at most 10 times a second:
//   push 127.0.0.1:5000/app:1  2/5 done  sha256:ab12… 12.0/48.3 MB 95.1 MB/s  sha256:cd34… 1.2/3.0 MB
// Everywhere, each finished item logs one plain INFO line (so CI logs get exactly one per item):
//   push 127.0.0.1:5000/app:1: sha256:ab12…: uploaded 48.3 MB in 0.52 s (92.9 MB/s)
//
// Thread safety: every member may be called from any thread (parallel uploads report here).

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace ssf {

class Progress {
 public:
  using Id = uint64_t;

  // `title` prefixes every line ("push 127.0.0.1:5000/app:1"); `total_items` is shown when known.
  explicit Progress(std::string title, size_t total_items = 0);
  ~Progress();  // removes the status line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // An item that has started; `total_bytes` 0 when unknown.
  Id start(std::string name, uint64_t total_bytes = 0);
  // `bytes` more of the item are done.
  void advance(Id item, uint64_t bytes);
  // The item ended: logs "<title>: <name>: <outcome>", with size, time and rate when bytes moved
  // (outcome e.g. "uploaded", "skipped: already in the registry", "cached").
  void finish(Id item, std::string_view outcome);

  // "48.3 MB", "512 B": decimal units, as registries and docker print sizes.
  static std::string format_bytes(uint64_t bytes);

 private:
  struct Item {
    std::string name;
    uint64_t total = 0;
    uint64_t done = 0;
    std::chrono::steady_clock::time_point started;
  };
  void redraw(bool force);  // REQUIRES(mutex_)

  const std::string title_;
  const size_t total_items_;
  std::mutex mutex_;
  std::map<Id, Item> running_;  // GUARDED_BY(mutex_)
  Id next_id_ = 1;              // GUARDED_BY(mutex_)
  size_t finished_ = 0;         // GUARDED_BY(mutex_)
  std::chrono::steady_clock::time_point last_draw_{};  // GUARDED_BY(mutex_)
};

}  // namespace ssf
