// `publish` (ssf-behaviour.md §7): pushes the image `package` wrote as an OCI layout
// (.package/<id>/image/, named by the package tag) to the registry the tag names, with the
// registry client: no Docker daemon, no `docker login` state left behind. Prints the pushed digest.
// Failures are upstream's 7 (RESULT_DOCKER_SERVER_ERROR), with one line naming the registry, the
// repository and the cause.

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "commands.h"
#include "registry_access.h"

namespace ssf::cli {
namespace {

std::string megabytes(int64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); }

std::string_view outcome_name(registry::BlobEvent::Outcome o) {
  using O = registry::BlobEvent::Outcome;
  switch (o) {
    case O::Present: return "skipped: already in the registry";
    case O::Mounted: return "mounted from another repository";
    case O::Uploaded: return "uploaded";
    case O::Downloaded: return "downloaded";
    case O::Cached: return "cached";
  }
  return "";
}

// Feeds core's Progress from the registry client's callbacks (both come from transfer threads,
// one call at a time): a blob is started at its first bytes, or at its end when none moved.
class BlobProgress {
 public:
  BlobProgress(std::string title, size_t blobs) : progress_(std::move(title), blobs) {}

  void bytes(const image::Digest& digest, int64_t sent, int64_t size) {
    auto& item = item_for(digest, size);
    // A restarted transfer counts again from 0: only forward moves advance the bar.
    if (sent > item.sent) progress_.advance(item.id, static_cast<uint64_t>(sent - item.sent));
    item.sent = std::max(item.sent, sent);
  }
  void finished(const registry::BlobEvent& e) {
    auto& item = item_for(e.digest, e.size);
    std::string outcome(outcome_name(e.outcome));
    if (e.attempts > 1) outcome += fmt::format(" ({} attempts)", e.attempts);
    progress_.finish(item.id, outcome);
  }

 private:
  struct Item {
    Progress::Id id;
    int64_t sent = 0;
  };
  Item& item_for(const image::Digest& digest, int64_t size) {
    auto it = items_.find(digest.str());
    if (it == items_.end()) {
      Progress::Id id = progress_.start(digest.str().substr(0, 19), static_cast<uint64_t>(size));
      it = items_.emplace(digest.str(), Item{id}).first;
    }
    return it->second;
  }
  Progress progress_;
  std::map<std::string, Item> items_;
};

}  // namespace

Status run_publish(Context& context) {
  const auto& app = context.config.application;
  std::string tag = context.options.package_tag.value_or(app.package.tag);
  auto ref = registry::Reference::parse(tag);
  if (!ref) return std::move(ref).error().with_context("publish");
  if (context.options.container_server && *context.options.container_server != ref->registry) {
    log::warning("--container-server {} is not the registry of {} ({}): pushing to {}",
                 *context.options.container_server, tag, ref->registry, ref->registry);
  }

  auto dir = context.cwd / ".package" / app.id / "image";
  auto layout = image::OciLayout::open(dir);
  if (!layout) {
    return Error(ResultCode::DockerServerError,
                 fmt::format("Push {} errored: no packaged image in {}: run `gc-ssf package` first",
                             tag, dir.string()));
  }
  // `package` names the image by the tag as resolved; a canonical spelling is accepted too.
  auto manifest = layout->resolve(tag);
  if (!manifest) manifest = layout->resolve(ref->str());
  if (!manifest) {
    return Error(ResultCode::DockerServerError,
                 fmt::format("Push {} errored: {}", tag, manifest.error().message()));
  }

  auto options = registry_client_options(context.options, ref->registry);
  if (!options) return std::move(options).error();
  size_t blob_count = 0;  // for the progress line; push() itself reports a bad manifest
  if (auto body = layout->read_blob(manifest->digest)) {
    if (auto parsed = image::Manifest::parse(*body)) blob_count = parsed->layers.size() + 1;
  }

  log::info("Pushing {} to {}", tag, ref->name());
  auto started = std::chrono::steady_clock::now();
  Result<registry::PushResult> pushed = Error(ResultCode::InternalError, "");
  {
    BlobProgress progress("push " + tag, blob_count);
    options->on_bytes = [&](const image::Digest& d, int64_t sent, int64_t size) {
      progress.bytes(d, sent, size);
    };
    options->on_blob = [&](const registry::BlobEvent& e) { progress.finished(e); };
    pushed = registry::push(*layout, *manifest, *ref, *options);
  }
  if (!pushed) return std::move(pushed).error();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  int uploaded = 0, present = 0, mounted = 0;
  for (const auto& b : pushed->blobs) {
    using O = registry::BlobEvent::Outcome;
    uploaded += b.outcome == O::Uploaded;
    present += b.outcome == O::Present;
    mounted += b.outcome == O::Mounted;
  }
  log::info("Pushed {}: {} blobs uploaded ({}), {} present, {} mounted, in {:.2f} s", tag,
            uploaded, megabytes(pushed->bytes_sent), present, mounted, seconds);
  log::info("Digest {}", pushed->manifest.digest.str());
  log::info("Published {}@{}", ref->name(), pushed->manifest.digest.str());
  return {};
}

}  // namespace ssf::cli
