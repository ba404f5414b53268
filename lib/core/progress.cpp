#include "core/progress.h"

#include "core/log.h"

namespace ssf {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

// Digests are long; the status line shows their first 12 hex digits.
std::string short_name(const std::string& name) {
  if (name.rfind("sha256:", 0) == 0 && name.size() > 19) return name.substr(0, 19) + "…";
  return name;
}

}  // namespace

Progress::Progress(std::string title, size_t total_items)
    : title_(std::move(title)), total_items_(total_items) {}

Progress::~Progress() {
  if (log::status_line_enabled()) log::set_status_line("");
}

std::string Progress::format_bytes(uint64_t bytes) {
  if (bytes < 1000) return fmt::format("{} B", bytes);
  if (bytes < 1000 * 1000) return fmt::format("{:.1f} kB", bytes / 1e3);
  if (bytes < 1000ULL * 1000 * 1000) return fmt::format("{:.1f} MB", bytes / 1e6);
  return fmt::format("{:.2f} GB", bytes / 1e9);
}

Progress::Id Progress::start(std::string name, uint64_t total_bytes) {
  std::lock_guard lock(mutex_);
  Id id = next_id_++;
  running_[id] = Item{std::move(name), total_bytes, 0, Clock::now()};
  redraw(true);
  return id;
}

void Progress::advance(Id item, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  auto it = running_.find(item);
  if (it == running_.end()) return;
  it->second.done += bytes;
  redraw(false);
}

void Progress::finish(Id item, std::string_view outcome) {
  std::unique_lock lock(mutex_);
  auto it = running_.find(item);
  if (it == running_.end()) return;
  Item done = std::move(it->second);
  running_.erase(it);
  ++finished_;
  redraw(true);
  lock.unlock();

  if (done.done == 0) {
    log::info("{}: {}: {}", title_, done.name, outcome);
    return;
  }
  double seconds = std::chrono::duration<double>(Clock::now() - done.started).count();
  double rate = seconds > 0 ? done.done / seconds : 0;
  log::info("{}: {}: {} {} in {:.2f} s ({}/s)", title_, done.name, outcome,
            format_bytes(done.done), seconds, format_bytes(static_cast<uint64_t>(rate)));
}

void Progress::redraw(bool force) {
  if (!log::status_line_enabled()) return;
  auto now = Clock::now();
  if (!force && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  if (running_.empty()) {
    log::set_status_line("");
    return;
  }
  std::string line = title_;
  if (total_items_ > 0) line += fmt::format("  {}/{} done", finished_, total_items_);
  for (const auto& [id, item] : running_) {
    double seconds = std::chrono::duration<double>(now - item.started).count();
    line += "  " + short_name(item.name) + " " + format_bytes(item.done);
    if (item.total > 0) line += "/" + format_bytes(item.total);
    if (seconds > 0.2) line += " " + format_bytes(static_cast<uint64_t>(item.done / seconds)) + "/s";
  }
  log::set_status_line(std::move(line));
}

}  // namespace ssf
