#include "image/writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "image/media_types.h"
#include "image/tar_writer.h"

namespace ssf::image {
namespace fs = std::filesystem;
namespace {

Error packaging(std::string message) { return Error(ResultCode::PackagingError, std::move(message)); }

std::string with_tag(const std::string& reference) {
  size_t slash = reference.rfind('/');
  size_t colon = reference.rfind(':');
  bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  return tagged || reference.find('@') != std::string::npos ? reference : reference + ":latest";
}

// Buffered output to a file descriptor, for the archive's tar stream.
class FileSink {
 public:
  explicit FileSink(const fs::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  }
  ~FileSink() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  Status write(std::string_view bytes) {
    if (buffer_.size() + bytes.size() > kFlushAt) SSF_TRY(flush());
    if (bytes.size() >= kFlushAt) return write_fd(bytes);
    buffer_.append(bytes);
    return {};
  }
  Status close() {
    SSF_TRY(flush());
    if (::close(std::exchange(fd_, -1)) != 0) return failed();
    return {};
  }

 private:
  static constexpr size_t kFlushAt = 1 << 20;
  Status flush() {
    SSF_TRY(write_fd(buffer_));
    buffer_.clear();
    return {};
  }
  Status write_fd(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return failed();
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return {};
  }
  Error failed() const {
    return packaging(fmt::format("cannot write {}: {}", path_.string(), std::strerror(errno)));
  }
  fs::path path_;
  int fd_ = -1;
  std::string buffer_;
};

Status add_blob(TarWriter& tar, const OciLayout& layout, const Digest& digest, int64_t mtime) {
  fs::path path = layout.blob_path(digest);
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return packaging(fmt::format("blob {} is missing from {}", digest.str(), layout.dir().string()));
  return tar.add_file("blobs/sha256/" + std::string(digest.hex()), 0644, mtime, size,
                      [&](const TarWriter::Sink& put) -> Status {
                        std::ifstream in(path, std::ios::binary);
                        std::vector<char> buffer(1 << 18);
                        while (in) {
                          in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
                          if (in.gcount() > 0) {
                            SSF_TRY(put(std::string_view(buffer.data(),
                                                         static_cast<size_t>(in.gcount()))));
                          }
                        }
                        if (in.bad()) return packaging("cannot read " + path.string());
                        return {};
                      });
}

}  // namespace

Result<Descriptor> write_image(const BaseImage& base, const OciLayout& layers_from,
                               const std::vector<NewLayer>& layers, ImageConfig config,
                               const std::map<std::string, std::string>& annotations,
                               OciLayout& out, std::string_view ref_name) {
  std::vector<Descriptor> manifest_layers;
  if (base.layout) {
    for (const auto& layer : base.layers) {
      SSF_TRY(out.link_blob(*base.layout, layer.digest));
      // Docker-typed layers under an OCI manifest confuse some registries and runtimes
      // (peers.md §B6): the bytes are the same format, so the OCI type is given.
      Descriptor d = layer;
      if (d.media_type == kDockerLayerGzip) d.media_type = std::string(kOciLayerGzip);
      manifest_layers.push_back(std::move(d));
    }
  }
  for (const auto& layer : layers) {
    SSF_TRY(out.link_blob(layers_from, layer.blob.digest));
    manifest_layers.push_back(layer.blob.descriptor());
    config.diff_ids.push_back(layer.blob.diff_id);
    config.history.push_back(layer.history);
  }
  auto config_blob = out.put_blob(config.to_json(), kOciConfig);
  if (!config_blob) return std::move(config_blob).error();
  Manifest manifest{std::string(kOciManifest), *config_blob, std::move(manifest_layers), annotations};
  auto descriptor = out.put_blob(manifest.to_json(), kOciManifest);
  if (!descriptor) return std::move(descriptor).error();
  if (!ref_name.empty()) SSF_TRY(out.tag(ref_name, *descriptor));
  return descriptor;
}

Status write_docker_archive(const OciLayout& layout, const Descriptor& manifest_descriptor,
                            const std::vector<std::string>& repo_tags, const fs::path& out,
                            int64_t mtime) {
  auto manifest_text = layout.read_blob(manifest_descriptor.digest);
  if (!manifest_text) return std::move(manifest_text).error();
  auto manifest = Manifest::parse(*manifest_text);
  if (!manifest) return std::move(manifest).error();

  nlohmann::ordered_json entry;
  entry["Config"] = "blobs/sha256/" + std::string(manifest->config.digest.hex());
  entry["RepoTags"] = nlohmann::ordered_json::array();
  for (const auto& tag : repo_tags) entry["RepoTags"].push_back(with_tag(tag));
  entry["Layers"] = nlohmann::ordered_json::array();
  for (const auto& layer : manifest->layers) {
    entry["Layers"].push_back("blobs/sha256/" + std::string(layer.digest.hex()));
  }
  std::string docker_manifest = nlohmann::ordered_json::array({entry}).dump();
  nlohmann::ordered_json repositories = nlohmann::ordered_json::object();
  for (const auto& tag : repo_tags) {
    std::string full = with_tag(tag);
    size_t colon = full.rfind(':');
    repositories[full.substr(0, colon)][full.substr(colon + 1)] =
        std::string(manifest_descriptor.digest.hex());
  }
  Index index;
  Descriptor named = manifest_descriptor;
  named.annotations.clear();
  if (!repo_tags.empty()) named.annotations[std::string(kRefNameAnnotation)] = with_tag(repo_tags[0]);
  index.manifests.push_back(named);

  static std::atomic<unsigned> counter{0};
  fs::path temp = out.parent_path() / fmt::format(".{}.tmp-{}-{}", out.filename().string(),
                                                  ::getpid(), counter++);
  Status status = [&]() -> Status {
    FileSink file(temp);
    if (!file.ok()) {
      return packaging(fmt::format("cannot create {}: {}", temp.string(), std::strerror(errno)));
    }
    TarWriter tar([&file](std::string_view bytes) { return file.write(bytes); });
    // Entries in path order, as every layer: the same image gives the same archive.
    SSF_TRY(tar.add_directory("blobs", 0755, mtime));
    SSF_TRY(tar.add_directory("blobs/sha256", 0755, mtime));
    std::map<std::string, Digest> blobs;
    blobs.emplace(std::string(manifest_descriptor.digest.hex()), manifest_descriptor.digest);
    blobs.emplace(std::string(manifest->config.digest.hex()), manifest->config.digest);
    for (const auto& layer : manifest->layers) blobs.emplace(std::string(layer.digest.hex()), layer.digest);
    for (const auto& [hex, digest] : blobs) SSF_TRY(add_blob(tar, layout, digest, mtime));
    SSF_TRY(tar.add_file("index.json", 0644, mtime, index.to_json()));
    SSF_TRY(tar.add_file("manifest.json", 0644, mtime, docker_manifest));
    SSF_TRY(tar.add_file("oci-layout", 0644, mtime, kLayoutVersion));
    SSF_TRY(tar.add_file("repositories", 0644, mtime, repositories.dump()));
    SSF_TRY(tar.finish());
    return file.close();
  }();
  std::error_code ec;
  if (status) fs::rename(temp, out, ec);
  if (!status || ec) {
    fs::remove(temp, ec);
    if (status) return packaging(fmt::format("cannot write {}", out.string()));
  }
  return status;
}

}  // namespace ssf::image
