#pragma once
// One function per step of the distribution API (distribution-spec v1.1, "Endpoints"), each a
// single request through a Session. Internal to the module: push.cpp and pull.cpp compose them.
// Errors are DockerServerError from http_error() ("name unknown: ... (PUT /v2/...: 404)").

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/core.h"
#include "image/image.h"
#include "registry/http.h"
#include "registry/session.h"

namespace ssf::registry {

// end-2: HEAD /v2/<name>/blobs/<digest>. True on 200, false on 404.
Result<bool> blob_exists(Session& s, HttpClient& c, const std::string& repo,
                         const image::Digest& digest);

// An upload session the registry opened: where to send its bytes.
struct Upload {
  std::string location;        // absolute URL
  int64_t chunk_min = 0;       // OCI-Chunk-Min-Length, 0 when not given
  int64_t offset = 0;          // bytes the registry holds already
};

// end-11: POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<from>. nullopt when mounted (201);
// an Upload when the registry opened an upload instead (202: it could not mount).
Result<std::optional<Upload>> mount_blob(Session& s, HttpClient& c, const std::string& repo,
                                         const image::Digest& digest, const std::string& from);

// end-4a: POST /v2/<name>/blobs/uploads/ (202 and a Location).
Result<Upload> start_upload(Session& s, HttpClient& c, const std::string& repo);

// end-5: PATCH <location> with bytes [offset, offset+length) of `file` and
// Content-Range: offset-(offset+length-1). Moves upload to the next location and offset.
// Not retried here: a broken chunk is resumed by the caller (upload_status).
Status upload_chunk(Session& s, HttpClient& c, Upload& upload, const std::filesystem::path& file,
                    int64_t length, const std::function<void(int64_t)>& on_sent);

// end-13: GET <location>: how many bytes the registry holds (Range: 0-<last>), and its location.
Result<Upload> upload_status(Session& s, HttpClient& c, const Upload& upload);

// end-6: PUT <location>?digest=<digest>, with bytes [offset, offset+length) of `file` as body
// (a monolithic upload) or none (closing a chunked one). 201 expected.
Status commit_blob(Session& s, HttpClient& c, const Upload& upload, const image::Digest& digest,
                   const std::filesystem::path& file, int64_t length,
                   const std::function<void(int64_t)>& on_sent);

// end-7: PUT /v2/<name>/manifests/<reference> with Content-Type `media_type`. Returns the digest
// the registry reports (Docker-Content-Digest), or the body's when it reports none.
Result<image::Digest> put_manifest(Session& s, HttpClient& c, const std::string& repo,
                                   const std::string& reference, const std::string& media_type,
                                   const std::string& body);

struct FetchedManifest {
  std::string media_type;
  std::string body;
  image::Digest digest;  // of body, verified against the reference when it is a digest
};
// end-3: GET /v2/<name>/manifests/<reference>, accepting OCI and Docker manifests and indexes.
Result<FetchedManifest> get_manifest(Session& s, HttpClient& c, const std::string& repo,
                                     const std::string& reference);

// end-2: GET /v2/<name>/blobs/<digest>, following redirects; the bytes go to `sink`.
Status get_blob(Session& s, HttpClient& c, const std::string& repo, const image::Digest& digest,
                const std::function<bool(const char*, size_t)>& sink);

}  // namespace ssf::registry
