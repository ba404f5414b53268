#pragma once
// What a caller of push/pull chooses: credentials, trust, parallelism, progress.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/core.h"
#include "image/image.h"

namespace ssf::registry {

struct Credentials {
  std::string username;  // a Harbor robot account reads "robot$project+name"
  Secret password;
};

// Where credentials for `registry` come from, in this order: `explicit_credentials` when given;
// else the Docker config (`$DOCKER_CONFIG/config.json`, else ~/.docker/config.json): a
// `credHelpers` entry for the registry, else `credsStore`, through `docker-credential-<name> get`
// (the server on its stdin, as its protocol has it), else `auths` with a base64 "user:password"
// `auth`; else nullopt (anonymous). Docker Hub's entry is "https://index.docker.io/v1/".
// Errors: DockerServerError when a helper fails for another reason than "not found", or when
// config.json is not valid JSON.
Result<std::optional<Credentials>> find_credentials(
    std::string_view registry, const std::optional<Credentials>& explicit_credentials,
    const std::filesystem::path& docker_config_dir = {});

// One blob of a push or pull, reported when it is done.
struct BlobEvent {
  enum class Outcome { Present, Mounted, Uploaded, Downloaded, Cached };
  image::Digest digest;
  int64_t size = 0;
  Outcome outcome = Outcome::Uploaded;
  int64_t bytes_transferred = 0;  // bytes sent or received (0 when present, mounted or cached)
  double seconds = 0;
  int attempts = 1;  // > 1 when the transfer was restarted or resumed
};

struct ClientOptions {
  // nullopt: find_credentials() decides (config.json, else anonymous).
  std::optional<Credentials> credentials;
  // Where config.json lives; empty: $DOCKER_CONFIG, else ~/.docker.
  std::filesystem::path docker_config_dir;
  // A PEM bundle trusted for TLS instead of the system's (--registry-ca). Empty: the system's.
  std::filesystem::path ca_file;
  // Hosts ("host[:port]") spoken to over plain HTTP (--insecure-registry). Loopback registries
  // are always allowed plain HTTP: they are tried over HTTPS first, then HTTP.
  std::vector<std::string> insecure_registries;
  // Blobs transferred at once. 4 as crane and skopeo: beyond that a single link saturates.
  int parallel = 4;
  // Blobs up to this size go up in one PUT; larger ones in PATCH chunks of this size (or of the
  // registry's OCI-Chunk-Min-Length when larger), so that a broken connection costs one chunk.
  int64_t chunk_size = 64 << 20;
  // Repositories on the same registry to mount blobs from, besides the base image's.
  std::vector<std::string> mount_from;
  // Attempts per request on connection errors, 408, 429 and 5xx (exponential backoff from
  // retry_delay with jitter, or the server's Retry-After), and per blob transfer.
  int max_attempts = 5;
  std::chrono::milliseconds retry_delay{200};
  // Seconds without progress after which a transfer is abandoned (and retried).
  int stall_timeout = 60;
  // Called from transfer threads, one call at a time, when each blob is done.
  std::function<void(const BlobEvent&)> on_blob;
  // Called from transfer threads, one call at a time, as bytes of a blob move (rate-limited by
  // the caller if it wants): the blob, bytes so far, its size.
  std::function<void(const image::Digest&, int64_t, int64_t)> on_bytes;
};

}  // namespace ssf::registry
