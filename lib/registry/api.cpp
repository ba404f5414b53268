// The distribution API, one request per function. Status codes follow distribution-spec v1.1
// ("Endpoints" table); anything else becomes http_error().

#include "registry/api.h"

#include <cstdlib>

#include "core/core.h"

namespace ssf::registry {
namespace {

constexpr std::string_view kManifestAccept =
    "Accept: application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

int64_t to_int64(const std::string& text) {
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  return end && *end == '\0' ? static_cast<int64_t>(v) : 0;
}

Result<Upload> upload_from(const HttpRequest& request, const HttpResponse& response) {
  std::string location = response.header("location");
  if (location.empty()) {
    return Error(ResultCode::DockerServerError,
                 fmt::format("the registry opened an upload without a Location ({} {})",
                             request.method, request.url));
  }
  Upload upload;
  upload.location = resolve_url(request.url, location);
  upload.chunk_min = to_int64(response.header("oci-chunk-min-length"));
  return upload;
}

std::string blob_url(const std::string& repo, const image::Digest& digest) {
  return fmt::format("/v2/{}/blobs/{}", repo, digest.str());
}

}  // namespace

Result<bool> blob_exists(Session& s, HttpClient& c, const std::string& repo,
                         const image::Digest& digest) {
  HttpRequest request;
  request.method = "HEAD";
  request.url = blob_url(repo, digest);
  auto response = s.send(c, request);
  if (!response) return std::move(response).error();
  if (response->status == 200) return true;
  if (response->status == 404) return false;
  return http_error(request, *response);
}

Result<std::optional<Upload>> mount_blob(Session& s, HttpClient& c, const std::string& repo,
                                         const image::Digest& digest, const std::string& from) {
  HttpRequest request;
  request.method = "POST";
  request.url = add_query(add_query(fmt::format("/v2/{}/blobs/uploads/", repo), "mount",
                                    digest.str()),
                          "from", from);
  auto response = s.send(c, request);
  if (!response) return std::move(response).error();
  if (response->status == 201) return std::optional<Upload>{};
  if (response->status == 202) {
    auto upload = upload_from(request, *response);
    if (!upload) return std::move(upload).error();
    return std::optional<Upload>{*upload};
  }
  return http_error(request, *response);
}

Result<Upload> start_upload(Session& s, HttpClient& c, const std::string& repo) {
  HttpRequest request;
  request.method = "POST";
  request.url = fmt::format("/v2/{}/blobs/uploads/", repo);
  auto response = s.send(c, request);
  if (!response) return std::move(response).error();
  if (response->status != 202) return http_error(request, *response);
  return upload_from(request, *response);
}

Status upload_chunk(Session& s, HttpClient& c, Upload& upload, const std::filesystem::path& file,
                    int64_t length, const std::function<void(int64_t)>& on_sent) {
  HttpRequest request;
  request.method = "PATCH";
  request.url = upload.location;
  request.headers = {"Content-Type: application/octet-stream",
                     fmt::format("Content-Range: {}-{}", upload.offset, upload.offset + length - 1)};
  request.body_file = file;
  request.body_offset = upload.offset;
  request.body_length = length;
  int64_t base = upload.offset;
  if (on_sent) request.on_sent = [base, &on_sent](int64_t sent) { on_sent(base + sent); };
  auto response = s.send(c, request, /*retry=*/false);
  if (!response) return std::move(response).error();
  if (response->status != 202 && response->status != 204) return http_error(request, *response);
  auto next = upload_from(request, *response);
  if (!next) return std::move(next).error();
  upload.location = next->location;
  upload.offset += length;
  return {};
}

Result<Upload> upload_status(Session& s, HttpClient& c, const Upload& upload) {
  HttpRequest request;
  request.url = upload.location;
  auto response = s.send(c, request);
  if (!response) return std::move(response).error();
  if (response->status != 204 && response->status != 200) return http_error(request, *response);
  auto status = upload_from(request, *response);
  if (!status) return std::move(status).error();
  status->chunk_min = upload.chunk_min;
  // Range: 0-<last byte held>. distribution writes "0-0" for an empty upload as for a one-byte
  // one; reading it as empty costs at worst a 416 and a restart of the blob.
  if (auto range = response->header("range"); !range.empty()) {
    auto dash = range.find('-');
    int64_t last = dash == std::string::npos ? -1 : to_int64(range.substr(dash + 1));
    status->offset = last > 0 ? last + 1 : 0;
  }
  return status;
}

Status commit_blob(Session& s, HttpClient& c, const Upload& upload, const image::Digest& digest,
                   const std::filesystem::path& file, int64_t length,
                   const std::function<void(int64_t)>& on_sent) {
  HttpRequest request;
  request.method = "PUT";
  request.url = add_query(upload.location, "digest", digest.str());
  request.headers = {"Content-Type: application/octet-stream"};
  if (length > 0) {
    request.body_file = file;
    request.body_offset = upload.offset;
    request.body_length = length;
    int64_t base = upload.offset;
    if (on_sent) request.on_sent = [base, &on_sent](int64_t sent) { on_sent(base + sent); };
  }
  auto response = s.send(c, request, /*retry=*/false);
  if (!response) return std::move(response).error();
  if (response->status != 201 && response->status != 204) return http_error(request, *response);
  return {};
}

Result<image::Digest> put_manifest(Session& s, HttpClient& c, const std::string& repo,
                                   const std::string& reference, const std::string& media_type,
                                   const std::string& body) {
  HttpRequest request;
  request.method = "PUT";
  request.url = fmt::format("/v2/{}/manifests/{}", repo, reference);
  request.headers = {"Content-Type: " + media_type};
  request.body = body;
  auto response = s.send(c, request);
  if (!response) return std::move(response).error();
  if (response->status != 201 && response->status != 200) return http_error(request, *response);
  image::Digest ours = image::Digest::of(body);
  if (auto theirs = response->header("docker-content-digest"); !theirs.empty() && theirs != ours.str()) {
    return Error(ResultCode::DockerServerError,
                 fmt::format("manifest invalid: the registry stored {} for a manifest of digest {}",
                             theirs, ours.str()));
  }
  return ours;
}

Result<FetchedManifest> get_manifest(Session& s, HttpClient& c, const std::string& repo,
                                     const std::string& reference) {
  HttpRequest request;
  request.url = fmt::format("/v2/{}/manifests/{}", repo, reference);
  request.headers = {std::string(kManifestAccept)};
  auto response = s.send(c, request);
  if (!response) return std::move(response).error();
  if (response->status != 200) return http_error(request, *response);
  FetchedManifest out{response->header("content-type"), std::move(response->body),
                      image::Digest::of("")};
  out.digest = image::Digest::of(out.body);
  if (auto wanted = image::Digest::parse(reference); wanted && *wanted != out.digest) {
    return Error(ResultCode::DockerServerError,
                 fmt::format("digest mismatch: manifest {} has digest {}", reference,
                             out.digest.str()));
  }
  if (auto theirs = response->header("docker-content-digest");
      !theirs.empty() && theirs != out.digest.str()) {
    return Error(ResultCode::DockerServerError,
                 fmt::format("digest mismatch: manifest {} is said to be {} but has digest {}",
                             reference, theirs, out.digest.str()));
  }
  if (auto semicolon = out.media_type.find(';'); semicolon != std::string::npos) {
    out.media_type = std::string(trim(out.media_type.substr(0, semicolon)));
  }
  return out;
}

Status get_blob(Session& s, HttpClient& c, const std::string& repo, const image::Digest& digest,
                const std::function<bool(const char*, size_t)>& sink) {
  HttpRequest request;
  request.url = blob_url(repo, digest);
  request.follow_redirects = true;
  request.on_data = sink;
  auto response = s.send(c, request, /*retry=*/false);
  if (!response) return std::move(response).error();
  if (response->status != 200) return http_error(request, *response);
  return {};
}

}  // namespace ssf::registry
