// Pull into an OCI layout: the manifest (from an index or manifest list, the linux/amd64 entry),
// then config and layers in parallel, each hashed as it streams to a temporary file beside the
// blobs and moved into place only when its digest and size match. A broken download is started
// again (up to max_attempts); blobs the layout already has are not fetched (the cache).

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "registry/api.h"
#include "registry/pool.h"
#include "registry/registry.h"
#include "registry/session.h"

namespace ssf::registry {
namespace {

using Clock = std::chrono::steady_clock;

std::filesystem::path temp_path(const image::OciLayout& layout, const image::Digest& digest) {
  static std::atomic<unsigned> counter{0};
  return layout.dir() / "blobs" / "sha256" /
         fmt::format(".download-{}-{}-{}", digest.hex().substr(0, 16), ::getpid(), counter++);
}

// Downloads one blob to a temporary file, verifying size and digest, then adopts it.
Status download(Session& session, HttpClient& client, const std::string& repo,
                image::OciLayout& layout, const image::Descriptor& d, BlobEvent& event,
                const std::function<void(int64_t)>& on_received) {
  const auto& options = session.options();
  std::optional<Error> last;
  for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
    event.attempts = attempt;
    if (attempt > 1) std::this_thread::sleep_for(options.retry_delay * (1 << std::min(attempt - 2, 5)));
    auto path = temp_path(layout, d.digest);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Error(ResultCode::PackagingError, fmt::format("cannot write {}", path.string()));
    }
    image::Sha256 hash;
    int64_t received = 0;
    bool write_failed = false;
    Status got = get_blob(session, client, repo, d.digest, [&](const char* data, size_t n) {
      received += static_cast<int64_t>(n);
      if (received > d.size) return false;  // more than the descriptor says: stop now
      hash.update(data, n);
      for (size_t done = 0; done < n;) {
        ssize_t w = ::write(fd, data + done, n - done);
        if (w <= 0) {
          write_failed = true;
          return false;
        }
        done += static_cast<size_t>(w);
      }
      if (on_received) on_received(received);
      return true;
    });
    ::close(fd);
    std::error_code ec;
    if (write_failed) {
      std::filesystem::remove(path, ec);
      return Error(ResultCode::PackagingError, fmt::format("cannot write {}", path.string()));
    }
    if (!got || received != d.size) {
      std::filesystem::remove(path, ec);
      Error error = got ? Error(ResultCode::DockerServerError,
                                fmt::format("digest mismatch: blob {} is {} bytes, not {}",
                                            d.digest.str(), received, d.size))
                        : std::move(got).error();
      bool retryable = starts_with(error.message(), "network:") ||
                       starts_with(error.message(), "server error") || (got && received < d.size);
      if (!retryable) return error;
      last = std::move(error);
      continue;
    }
    image::Digest actual = hash.finish();
    if (actual != d.digest) {
      std::filesystem::remove(path, ec);
      return Error(ResultCode::DockerServerError,
                   fmt::format("digest mismatch: blob {} has digest {}", d.digest.str(), actual.str()));
    }
    auto adopted = layout.adopt_blob_file(path, d.media_type, actual);
    if (!adopted) {
      std::filesystem::remove(path, ec);
      return std::move(adopted).error();
    }
    event.bytes_transferred = received;
    return {};
  }
  return std::move(*last);
}

// From an index or manifest list: the linux/amd64 manifest.
Result<const image::Descriptor*> choose_platform(const image::Index& index) {
  for (const auto& m : index.manifests) {
    if (m.platform && m.platform->os == "linux" && m.platform->architecture == "amd64") return &m;
  }
  return Error(ResultCode::DockerServerError,
               "manifest unknown: the image index has no linux/amd64 manifest");
}

}  // namespace

Result<image::Descriptor> pull(const Reference& from, image::OciLayout& into,
                               const ClientOptions& options) {
  std::string what = "pull " + from.str();
  auto session = Session::open(from, {fmt::format("repository:{}:pull", from.repository)}, options);
  if (!session) return std::move(session).error().with_context(what);
  Session& s = **session;
  HttpClient client(s.tls());

  auto fetched = get_manifest(s, client, from.repository, from.manifest_reference());
  if (!fetched) return std::move(fetched).error().with_context(what);
  if (image::is_index_type(fetched->media_type)) {
    auto index = image::Index::parse(fetched->body);
    if (!index) return std::move(index).error().with_context(what);
    auto chosen = choose_platform(*index);
    if (!chosen) return std::move(chosen).error().with_context(what);
    fetched = get_manifest(s, client, from.repository, (*chosen)->digest.str());
    if (!fetched) return std::move(fetched).error().with_context(what);
  }
  auto manifest = image::Manifest::parse(fetched->body);
  if (!manifest) return std::move(manifest).error().with_context(what);
  std::string media_type = fetched->media_type;
  if (!image::is_manifest_type(media_type)) media_type = manifest->media_type;

  std::vector<image::Descriptor> wanted;
  std::set<image::Digest> seen;
  seen.insert(manifest->config.digest);
  wanted.push_back(manifest->config);
  for (const auto& layer : manifest->layers) {
    if (seen.insert(layer.digest).second) wanted.push_back(layer);
  }

  std::mutex report_mutex;
  auto report = [&](const BlobEvent& e) {
    std::lock_guard lock(report_mutex);
    if (options.on_blob) options.on_blob(e);
  };
  Status pulled = run_parallel(
      wanted.size(), options.parallel, s.tls(), [&](HttpClient& c, size_t i) -> Status {
        const auto& d = wanted[i];
        BlobEvent event{d.digest, d.size, BlobEvent::Outcome::Cached, 0, 0, 1};
        auto started = Clock::now();
        if (!into.has_blob(d.digest)) {
          event.outcome = BlobEvent::Outcome::Downloaded;
          auto on_received = [&](int64_t n) {
            std::lock_guard lock(report_mutex);
            if (options.on_bytes) options.on_bytes(d.digest, n, d.size);
          };
          if (auto got = download(s, c, from.repository, into, d, event, on_received); !got) {
            return std::move(got).error().with_context("blob " + d.digest.str());
          }
        }
        event.seconds = std::chrono::duration<double>(Clock::now() - started).count();
        report(event);
        return {};
      });
  if (!pulled) return std::move(pulled).error().with_context(what);

  auto stored = into.put_blob(fetched->body, media_type);
  if (!stored) return std::move(stored).error().with_context(what);
  if (auto tagged = into.tag(from.str(), *stored); !tagged) {
    return std::move(tagged).error().with_context(what);
  }
  return *stored;
}

}  // namespace ssf::registry
