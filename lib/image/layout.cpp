#include "image/layout.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <system_error>

#include "image/media_types.h"

namespace ssf::image {
namespace fs = std::filesystem;
namespace {

Error io_error(std::string_view action, const fs::path& path, std::string_view cause) {
  return Error(ResultCode::PackagingError, fmt::format("cannot {} {}: {}", action, path.string(), cause));
}

// A name no other writer in this or another process picks at the same time.
fs::path temp_name(const fs::path& dir) {
  static std::atomic<unsigned> counter{0};
  return dir / fmt::format(".tmp-{}-{}", ::getpid(), counter++);
}

}  // namespace

Result<OciLayout> OciLayout::open(const fs::path& dir) {
  auto marker = read_file(dir / "oci-layout");
  if (!marker) {
    return Error(ResultCode::PackagingError,
                 fmt::format("{} is not an OCI image layout (no oci-layout file)", dir.string()));
  }
  if (marker->find("imageLayoutVersion") == std::string::npos) {
    return Error(ResultCode::PackagingError,
                 fmt::format("{}/oci-layout: not an image layout marker", dir.string()));
  }
  return OciLayout(dir);
}

Result<OciLayout> OciLayout::open_or_create(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir / "blobs" / "sha256", ec);
  if (ec) return io_error("create", dir, ec.message());
  if (!fs::exists(dir / "oci-layout")) {
    SSF_TRY(write_file_atomic(dir / "oci-layout", kLayoutVersion));
  }
  return open(dir);
}

fs::path OciLayout::blob_path(const Digest& digest) const {
  return dir_ / "blobs" / "sha256" / std::string(digest.hex());
}

bool OciLayout::has_blob(const Digest& digest) const {
  std::error_code ec;
  return fs::is_regular_file(blob_path(digest), ec);
}

Result<Descriptor> OciLayout::put_blob(std::string_view bytes, std::string_view media_type) {
  Digest digest = Digest::of(bytes);
  Descriptor d{std::string(media_type), digest, static_cast<int64_t>(bytes.size()), {}, {}};
  if (has_blob(digest)) return d;
  SSF_TRY(write_file_atomic(blob_path(digest), bytes));
  return d;
}

Result<Descriptor> OciLayout::adopt_blob_file(const fs::path& file, std::string_view media_type,
                                              std::optional<Digest> digest) {
  if (!digest) {
    auto computed = Digest::of_file(file);
    if (!computed) return std::move(computed).error();
    digest = *computed;
  }
  std::error_code ec;
  auto size = fs::file_size(file, ec);
  if (ec) return io_error("read", file, ec.message());
  Descriptor d{std::string(media_type), *digest, static_cast<int64_t>(size), {}, {}};
  fs::path target = blob_path(*digest);
  if (has_blob(*digest)) {
    fs::remove(file, ec);
    return d;
  }
  fs::rename(file, target, ec);
  if (ec == std::errc::cross_device_link) {
    // Another filesystem: copy beside the target, then rename into place.
    fs::path temp = temp_name(target.parent_path());
    fs::copy_file(file, temp, ec);
    if (!ec) fs::rename(temp, target, ec);
    if (ec) {
      fs::remove(temp);
      return io_error("store", target, ec.message());
    }
    fs::remove(file, ec);
  } else if (ec) {
    return io_error("store", target, ec.message());
  }
  return d;
}

Status OciLayout::link_blob(const OciLayout& from, const Digest& digest) {
  if (has_blob(digest)) return {};
  fs::path source = from.blob_path(digest);
  fs::path target = blob_path(digest);
  fs::path temp = temp_name(target.parent_path());
  std::error_code ec;
  fs::create_hard_link(source, temp, ec);
  if (ec) {
    ec.clear();
    fs::copy_file(source, temp, ec);
  }
  if (!ec) fs::rename(temp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    if (!from.has_blob(digest)) {
      return Error(ResultCode::PackagingError,
                   fmt::format("blob {} is missing from {}", digest.str(), from.dir().string()));
    }
    return io_error("store", target, ec.message());
  }
  return {};
}

Result<std::string> OciLayout::read_blob(const Digest& digest) const {
  auto bytes = read_file(blob_path(digest));
  if (!bytes) {
    return Error(ResultCode::PackagingError,
                 fmt::format("blob {} is missing from {}", digest.str(), dir_.string()));
  }
  if (Digest::of(*bytes) != digest) {
    return Error(ResultCode::PackagingError,
                 fmt::format("blob {} in {} does not match its digest", digest.str(), dir_.string()));
  }
  return bytes;
}

Result<Index> OciLayout::index() const {
  fs::path path = dir_ / "index.json";
  if (!fs::exists(path)) return Index{};
  auto text = read_file(path);
  if (!text) return std::move(text).error();
  auto index = Index::parse(*text);
  if (!index) return std::move(index).error().with_context(path.string());
  return index;
}

Result<Descriptor> OciLayout::resolve(std::string_view ref_name) const {
  auto index = this->index();
  if (!index) return std::move(index).error();
  if (ref_name.empty()) {
    if (index->manifests.size() == 1) return index->manifests.front();
    return Error(ResultCode::PackagingError,
                 fmt::format("{} holds {} images: name one", dir_.string(), index->manifests.size()));
  }
  for (const auto& m : index->manifests) {
    auto it = m.annotations.find(std::string(kRefNameAnnotation));
    if (it != m.annotations.end() && it->second == ref_name) return m;
  }
  return Error(ResultCode::PackagingError,
               fmt::format("no image '{}' in {}", ref_name, dir_.string()));
}

Status OciLayout::tag(std::string_view ref_name, Descriptor manifest) {
  auto index = this->index();
  if (!index) return std::move(index).error();
  std::erase_if(index->manifests, [&](const Descriptor& d) {
    auto it = d.annotations.find(std::string(kRefNameAnnotation));
    return it != d.annotations.end() && it->second == ref_name;
  });
  manifest.annotations[std::string(kRefNameAnnotation)] = std::string(ref_name);
  index->manifests.push_back(std::move(manifest));
  return write_file_atomic(dir_ / "index.json", index->to_json());
}

}  // namespace ssf::image
