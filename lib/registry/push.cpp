// The push plan (go-containerregistry's pkg/v1/remote/write.go does the same steps):
//   1. read the manifest and check that the layout has every blob it names (before any request);
//   2. open a session with push+pull on the target and pull on the repositories to mount from;
//   3. on Harbor, check that the project exists;
//   4. per blob, `parallel` at a time: HEAD (present: skip) -> mount (201: done) -> upload
//      (monolithic PUT up to chunk_size, else PATCH chunks), a broken transfer resumed from the
//      registry's offset (chunked) or restarted (monolithic), up to max_attempts;
//   5. the manifest, last, with its media type: a failed push never tags a partial image.

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "registry/api.h"
#include "registry/harbor.h"
#include "registry/pool.h"
#include "registry/registry.h"
#include "registry/session.h"

namespace ssf::registry {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kBaseNameAnnotation = "org.opencontainers.image.base.name";

struct Blob {
  image::Descriptor descriptor;
  std::filesystem::path file;
};

// Failures worth another attempt of a blob transfer: no answer, a server error, or an upload
// session the registry lost (it may have restarted).
bool transient(const Error& error) {
  const std::string& m = error.message();
  for (std::string_view prefix : {"network:", "server error", "too many requests",
                                  "blob upload unknown", "blob upload invalid", "unexpected answer"}) {
    if (starts_with(m, prefix)) return true;
  }
  return false;
}

// Serialises the caller's callbacks: they are called from transfer threads.
class Reporter {
 public:
  explicit Reporter(const ClientOptions& options) : options_(options) {}
  void blob(const BlobEvent& event) {
    std::lock_guard lock(mutex_);
    if (options_.on_blob) options_.on_blob(event);
  }
  void bytes(const image::Digest& digest, int64_t sent, int64_t size) {
    std::lock_guard lock(mutex_);
    if (options_.on_bytes) options_.on_bytes(digest, sent, size);
  }

 private:
  const ClientOptions& options_;
  std::mutex mutex_;
};

class Pusher {
 public:
  Pusher(Session& session, const Reference& to, std::vector<std::string> mount_sources,
         Reporter& reporter)
      : session_(session), to_(to), mount_sources_(std::move(mount_sources)), reporter_(reporter) {}

  Result<BlobEvent> push_blob(HttpClient& client, const Blob& blob) {
    const auto& d = blob.descriptor;
    BlobEvent event{d.digest, d.size, BlobEvent::Outcome::Present, 0, 0, 1};
    auto started = Clock::now();
    auto exists = blob_exists(session_, client, to_.repository, d.digest);
    if (!exists) return std::move(exists).error();
    if (*exists) return event;

    std::optional<Upload> opened;
    for (const auto& from : mount_sources_) {
      auto mounted = mount_blob(session_, client, to_.repository, d.digest, from);
      if (!mounted) {
        // A refused mount is not a failure: the blob is uploaded instead (crane does the same).
        log::debug("mount of {} from {} refused: {}", d.digest.str(), from, mounted.error().message());
        continue;
      }
      if (!mounted->has_value()) {
        event.outcome = BlobEvent::Outcome::Mounted;
        event.seconds = std::chrono::duration<double>(Clock::now() - started).count();
        return event;
      }
      opened = std::move(**mounted);  // the registry opened an upload instead: use it
      break;
    }
    event.outcome = BlobEvent::Outcome::Uploaded;
    SSF_TRY(upload(client, blob, std::move(opened), event));
    event.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return event;
  }

 private:
  Status upload(HttpClient& client, const Blob& blob, std::optional<Upload> opened,
                BlobEvent& event) {
    const auto& d = blob.descriptor;
    const auto& options = session_.options();
    auto on_sent = [&](int64_t sent) { reporter_.bytes(d.digest, sent, d.size); };
    std::optional<Error> last;
    for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
      event.attempts = attempt;
      if (attempt > 1) {
        log::info("{}: upload broke ({}); attempt {} of {}", d.digest.str(), last->message(),
                  attempt, options.max_attempts);
        std::this_thread::sleep_for(options.retry_delay * (1 << std::min(attempt - 2, 5)));
      }
      Upload up;
      if (opened) {
        up = std::move(*opened);
        opened.reset();
      } else {
        auto started = start_upload(session_, client, to_.repository);
        if (!started) {
          if (!transient(started.error())) return std::move(started).error();
          last = std::move(started).error();
          continue;
        }
        up = std::move(*started);
      }
      int64_t chunk = std::max<int64_t>(options.chunk_size, up.chunk_min);
      Status status;
      if (d.size <= chunk) {
        status = commit_blob(session_, client, up, d.digest, blob.file, d.size, on_sent);
        if (status) event.bytes_transferred += d.size;
      } else {
        status = upload_chunked(client, blob, up, chunk, on_sent, event);
      }
      if (status) return {};
      if (!transient(status.error())) return std::move(status).error();
      last = std::move(status).error();
    }
    return std::move(*last);
  }

  // PATCH chunks in order, then PUT ?digest=. A broken chunk is resumed from the offset the
  // registry reports for the upload session (end-13); when the session is gone, the caller
  // restarts the blob.
  Status upload_chunked(HttpClient& client, const Blob& blob, Upload& up, int64_t chunk,
                        const std::function<void(int64_t)>& on_sent, BlobEvent& event) {
    const auto& d = blob.descriptor;
    int resumes = 0;
    while (up.offset < d.size) {
      int64_t length = std::min(chunk, d.size - up.offset);
      Status sent = upload_chunk(session_, client, up, blob.file, length, on_sent);
      if (sent) {
        event.bytes_transferred += length;
        continue;
      }
      if (!transient(sent.error()) || ++resumes >= session_.options().max_attempts) return sent;
      log::info("{}: chunk at {} broke ({}); resuming", d.digest.str(), up.offset,
                sent.error().message());
      std::this_thread::sleep_for(session_.options().retry_delay);
      auto status = upload_status(session_, client, up);
      if (!status) return sent;  // the session is gone: restart the blob
      ++event.attempts;
      up.location = status->location;
      up.offset = status->offset;
    }
    return commit_blob(session_, client, up, d.digest, blob.file, 0, nullptr);
  }

  Session& session_;
  const Reference& to_;
  std::vector<std::string> mount_sources_;
  Reporter& reporter_;
};

Result<std::vector<Blob>> blobs_of(const image::OciLayout& layout, const image::Manifest& m) {
  std::vector<Blob> blobs;
  std::set<image::Digest> seen;
  auto add = [&](const image::Descriptor& d) -> Status {
    if (!seen.insert(d.digest).second) return {};
    auto file = layout.blob_path(d.digest);
    std::error_code ec;
    auto size = std::filesystem::file_size(file, ec);
    if (ec || static_cast<int64_t>(size) != d.size) {
      return Error(ResultCode::PackagingError,
                   fmt::format("blob {} is {} in {}", d.digest.str(),
                               ec ? "missing" : "not of the size its manifest gives",
                               layout.dir().string()));
    }
    blobs.push_back({d, file});
    return {};
  };
  SSF_TRY(add(m.config));
  for (const auto& layer : m.layers) SSF_TRY(add(layer));
  return blobs;
}

std::vector<std::string> mount_sources(const image::Manifest& m, const Reference& to,
                                       const ClientOptions& options) {
  std::vector<std::string> out;
  auto consider = [&](const std::string& repository) {
    if (repository != to.repository &&
        std::find(out.begin(), out.end(), repository) == out.end()) {
      out.push_back(repository);
    }
  };
  if (auto it = m.annotations.find(std::string(kBaseNameAnnotation)); it != m.annotations.end()) {
    auto base = Reference::parse(it->second);
    if (base && base->registry == to.registry) consider(base->repository);
  }
  for (const auto& r : options.mount_from) consider(r);
  return out;
}

}  // namespace

Result<PushResult> push(const image::OciLayout& layout, const image::Descriptor& manifest,
                        const Reference& to, const ClientOptions& options) {
  std::string what = "push " + to.str();
  auto body = layout.read_blob(manifest.digest);
  if (!body) return std::move(body).error().with_context(what);
  auto parsed = image::Manifest::parse(*body);
  if (!parsed) return std::move(parsed).error().with_context(what);
  auto blobs = blobs_of(layout, *parsed);
  if (!blobs) return std::move(blobs).error().with_context(what);

  auto sources = mount_sources(*parsed, to, options);
  std::vector<std::string> scopes = {fmt::format("repository:{}:pull,push", to.repository)};
  for (const auto& s : sources) scopes.push_back(fmt::format("repository:{}:pull", s));
  auto session = Session::open(to, scopes, options);
  if (!session) return std::move(session).error().with_context(what);

  {
    HttpClient client((*session)->tls());
    if (auto project = check_harbor_project(**session, client, to); !project) {
      return std::move(project).error().with_context(what);
    }
  }

  Reporter reporter(options);
  Pusher pusher(**session, to, sources, reporter);
  std::vector<std::optional<BlobEvent>> events(blobs->size());
  Status pushed = run_parallel(blobs->size(), options.parallel, (*session)->tls(),
                               [&](HttpClient& client, size_t i) -> Status {
                                 const Blob& blob = (*blobs)[i];
                                 auto event = pusher.push_blob(client, blob);
                                 if (!event) {
                                   return std::move(event).error().with_context(
                                       "blob " + blob.descriptor.digest.str());
                                 }
                                 reporter.blob(*event);
                                 events[i] = std::move(*event);
                                 return {};
                               });
  if (!pushed) return std::move(pushed).error().with_context(what);

  HttpClient client((*session)->tls());
  std::string media_type = manifest.media_type.empty() ? parsed->media_type : manifest.media_type;
  auto digest = put_manifest(**session, client, to.repository, to.manifest_reference(), media_type,
                             *body);
  if (!digest) return std::move(digest).error().with_context(what + ": manifest");

  PushResult result{image::Descriptor{media_type, *digest, static_cast<int64_t>(body->size()), {}, {}},
                    {}, 0};
  for (auto& e : events) {
    result.bytes_sent += e->bytes_transferred;
    result.blobs.push_back(std::move(*e));
  }
  return result;
}

}  // namespace ssf::registry
