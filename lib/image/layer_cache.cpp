#include "image/layer_cache.h"

#include <unistd.h>

#include <atomic>
#include <nlohmann/json.hpp>

namespace ssf::image {
namespace fs = std::filesystem;

Result<LayerCache> LayerCache::open(const fs::path& dir) {
  auto layout = OciLayout::open_or_create(dir);
  if (!layout) return std::move(layout).error();
  std::error_code ec;
  fs::create_directories(dir / "keys", ec);
  if (ec) {
    return Error(ResultCode::PackagingError,
                 fmt::format("cannot create {}: {}", (dir / "keys").string(), ec.message()));
  }
  return LayerCache(std::move(*layout));
}

std::optional<LayerCache> LayerCache::open_existing(const fs::path& dir) {
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir / "keys", ec)) return std::nullopt;
  auto layout = OciLayout::open(dir);
  if (!layout) return std::nullopt;
  return LayerCache(std::move(*layout));
}

fs::path LayerCache::record_path(const Digest& key) const {
  return layout_.dir() / "keys" / std::string(key.hex());
}

std::optional<LayerBlob> LayerCache::find(const Digest& key) const {
  auto text = read_file(record_path(key));
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    auto digest = Digest::parse(j.at("digest").get<std::string>());
    auto diff_id = Digest::parse(j.at("diff_id").get<std::string>());
    if (!digest || !diff_id) return std::nullopt;
    LayerBlob blob{*digest, j.at("size").get<int64_t>(), *diff_id, j.at("tar_size").get<int64_t>(),
                   j.at("files").get<int64_t>(), j.at("media_type").get<std::string>()};
    // A record whose blob went (someone cleaned blobs/) is a miss, not an error.
    std::error_code ec;
    if (fs::file_size(layout_.blob_path(blob.digest), ec) != static_cast<uintmax_t>(blob.size) ||
        ec) {
      return std::nullopt;
    }
    return blob;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

Result<bool> LayerCache::adopt(const LayerCache& from, const Digest& key) {
  auto blob = from.find(key);
  if (!blob) return false;
  SSF_TRY(layout_.link_blob(from.layout_, blob->digest));
  SSF_TRY(write_record(key, *blob));
  return true;
}

Status LayerCache::write_record(const Digest& key, const LayerBlob& blob) {
  nlohmann::ordered_json j;
  j["digest"] = blob.digest.str();
  j["size"] = blob.size;
  j["diff_id"] = blob.diff_id.str();
  j["tar_size"] = blob.tar_size;
  j["files"] = blob.files;
  j["media_type"] = blob.media_type;
  return write_file_atomic(record_path(key), j.dump());
}

Result<LayerBlob> LayerCache::get_or_make(
    const Digest& key, const std::function<Result<LayerBlob>(const fs::path& out)>& make,
    bool* cached) {
  if (auto found = find(key)) {
    if (cached) *cached = true;
    return *found;
  }
  if (cached) *cached = false;
  static std::atomic<unsigned> counter{0};
  fs::path temp = layout_.dir() / "blobs" / fmt::format(".layer-{}-{}", ::getpid(), counter++);
  auto blob = make(temp);
  if (!blob) {
    std::error_code ec;
    fs::remove(temp, ec);
    return blob;
  }
  auto stored = layout_.adopt_blob_file(temp, blob->media_type, blob->digest);
  if (!stored) return std::move(stored).error();
  SSF_TRY(write_record(key, *blob));
  return blob;
}

}  // namespace ssf::image
