// `publish` (ssf-behaviour.md §7): pushes the image `package` wrote as an OCI layout
// (.package/<id>/image/, named by the package tag) to the registry the tag names, with the
// registry client: no Docker daemon, no `docker login` state left behind. Prints the pushed digest.
// Failures are upstream's 7 (RESULT_DOCKER_SERVER_ERROR), with one line naming the registry, the
// repository and the cause.

#include <unistd.h>

#include <cstdlib>

#include "commands.h"
#include "registry_access.h"

namespace ssf::cli {
namespace {

std::string megabytes(int64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); }

std::string_view outcome_name(registry::BlobEvent::Outcome o) {
  using O = registry::BlobEvent::Outcome;
  switch (o) {
    case O::Present: return "present, skipped";
    case O::Mounted: return "mounted";
    case O::Uploaded: return "uploaded";
    case O::Downloaded: return "downloaded";
    case O::Cached: return "cached";
  }
  return "";
}

// One line per finished blob: what became of it, and for a transfer its size, time and rate.
void report_blob(const registry::BlobEvent& e) {
  std::string digest = e.digest.str().substr(0, 19);
  if (e.bytes_transferred == 0) {
    log::info("  {} {} ({})", digest, outcome_name(e.outcome), megabytes(e.size));
    return;
  }
  double rate = e.seconds > 0 ? e.bytes_transferred / e.seconds / 1e6 : 0;
  log::info("  {} {} {} in {:.2f} s ({:.1f} MB/s){}", digest, outcome_name(e.outcome),
            megabytes(e.bytes_transferred), e.seconds, rate,
            e.attempts > 1 ? fmt::format(", {} attempts", e.attempts) : "");
}

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
  options->on_blob = report_blob;

  log::info("Pushing {} to {}", tag, ref->name());
  auto started = std::chrono::steady_clock::now();
  auto pushed = registry::push(*layout, *manifest, *ref, *options);
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
