// Layer writing: entries → tar (TarWriter) → sha256 (diff_id) and gzip → sha256 (digest) → file,
// in one pass over the data with fixed-size buffers, so that memory does not grow with the layer.

#include "image/layer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "image/tar_writer.h"

namespace ssf::image {
namespace fs = std::filesystem;
namespace {

constexpr size_t kBuffer = 256 * 1024;

Error packaging(std::string message) { return Error(ResultCode::PackagingError, std::move(message)); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status write_all(int fd, const char* data, size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return packaging(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return {};
}

// Reads `path` in chunks and hands each to `put`.
Status stream_file(const fs::path& path, const TarWriter::Sink& put) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return packaging(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  std::vector<char> buffer(kBuffer);
  while (true) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return packaging(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    }
    if (n == 0) return {};
    SSF_TRY(put(std::string_view(buffer.data(), static_cast<size_t>(n))));
  }
}

// The tar bytes' sink: hashes them (diff_id), deflates them, hashes and writes the result (digest).
class GzipHashWriter {
 public:
  static Result<std::unique_ptr<GzipHashWriter>> open(const fs::path& out, int level) {
    auto w = std::unique_ptr<GzipHashWriter>(new GzipHashWriter(out));
    w->fd_ = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd_ < 0) {
      return packaging(fmt::format("cannot create {}: {}", out.string(), std::strerror(errno)));
    }
    // windowBits 15 + 16: a gzip wrapper, whose header zlib writes with no name and mtime 0.
    if (deflateInit2(&w->z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return packaging("zlib: cannot start compressing");
    }
    w->z_ok_ = true;
    return w;
  }
  ~GzipHashWriter() {
    if (z_ok_) deflateEnd(&z_);
    if (fd_ >= 0) ::close(fd_);
  }

  Status write(std::string_view bytes) {
    tar_hash_.update(bytes);
    tar_size_ += static_cast<int64_t>(bytes.size());
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z_.avail_in = static_cast<uInt>(bytes.size());
    return pump(Z_NO_FLUSH);
  }

  Result<LayerBlob> finish() {
    SSF_TRY(pump(Z_FINISH));
    if (::close(std::exchange(fd_, -1)) != 0) {
      return packaging(fmt::format("cannot write {}: {}", out_.string(), std::strerror(errno)));
    }
    LayerBlob blob{blob_hash_.finish(), size_, tar_hash_.finish(), tar_size_, 0};
    return blob;
  }

 private:
  explicit GzipHashWriter(fs::path out) : out_(std::move(out)), buffer_(kBuffer) {}

  Status pump(int flush) {
    while (true) {
      z_.next_out = reinterpret_cast<Bytef*>(buffer_.data());
      z_.avail_out = static_cast<uInt>(buffer_.size());
      int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return packaging("zlib: compression failed");
      size_t produced = buffer_.size() - z_.avail_out;
      if (produced > 0) {
        blob_hash_.update(buffer_.data(), produced);
        size_ += static_cast<int64_t>(produced);
        SSF_TRY(write_all(fd_, buffer_.data(), produced, out_));
      }
      if (flush == Z_FINISH ? rc == Z_STREAM_END : (z_.avail_in == 0 && z_.avail_out != 0)) {
        return {};
      }
    }
  }

  fs::path out_;
  std::vector<char> buffer_;
  z_stream z_{};
  bool z_ok_ = false;
  int fd_ = -1;
  Sha256 tar_hash_;
  Sha256 blob_hash_;
  int64_t tar_size_ = 0;
  int64_t size_ = 0;
};

bool safe_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  for (const auto& part : split(path, '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

// The entries as they go into the tar: checked, with their parent directories, sorted by path.
Result<std::map<std::string, const LayerEntry*>> plan(const LayerSpec& spec,
                                                       std::vector<LayerEntry>& parents) {
  std::map<std::string, const LayerEntry*> sorted;
  std::set<std::string> dirs;
  for (const auto& e : spec.entries) {
    if (!safe_path(e.path)) return packaging(fmt::format("invalid path in layer: '{}'", e.path));
    if (!sorted.emplace(e.path, &e).second) {
      return packaging(fmt::format("two entries for '{}' in one layer", e.path));
    }
    for (size_t slash = e.path.find('/'); slash != std::string::npos;
         slash = e.path.find('/', slash + 1)) {
      dirs.insert(e.path.substr(0, slash));
    }
  }
  for (const auto& dir : dirs) {
    auto it = sorted.find(dir);
    if (it != sorted.end()) {
      if (it->second->kind != LayerEntry::Kind::Directory) {
        return packaging(fmt::format("'{}' is both a directory and a file in one layer", dir));
      }
      continue;
    }
    parents.push_back(LayerEntry{LayerEntry::Kind::Directory, dir, 0755, {}, {}, {}});
  }
  for (const auto& p : parents) sorted.emplace(p.path, &p);
  return sorted;
}

Result<uint64_t> regular_file_size(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return packaging(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) return packaging(fmt::format("{} is not a regular file", path.string()));
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

Result<LayerBlob> write_layer(const LayerSpec& spec, const fs::path& out,
                              const LayerOptions& options) {
  std::vector<LayerEntry> parents;
  parents.reserve(spec.entries.size());
  auto sorted = plan(spec, parents);
  if (!sorted) return std::move(sorted).error();
  auto writer = GzipHashWriter::open(out, options.compression_level);
  if (!writer) return std::move(writer).error();
  GzipHashWriter& w = **writer;
  TarWriter tar([&w, &options](std::string_view bytes) {
    if (options.on_bytes) options.on_bytes(bytes.size());
    return w.write(bytes);
  });
  for (const auto& [path, e] : *sorted) {
    switch (e->kind) {
      case LayerEntry::Kind::Directory:
        SSF_TRY(tar.add_directory(path, e->mode, spec.mtime));
        break;
      case LayerEntry::Kind::Symlink:
        SSF_TRY(tar.add_symlink(path, e->link_target, spec.mtime));
        break;
      case LayerEntry::Kind::File:
        if (e->content) {
          SSF_TRY(tar.add_file(path, e->mode, spec.mtime, *e->content));
        } else {
          auto size = regular_file_size(e->source);
          if (!size) return std::move(size).error();
          SSF_TRY(tar.add_file(path, e->mode, spec.mtime, *size, [&](const TarWriter::Sink& put) {
            return stream_file(e->source, put);
          }));
        }
        break;
    }
  }
  if (options.end_of_archive) SSF_TRY(tar.finish());
  auto blob = w.finish();
  if (!blob) return std::move(blob).error();
  blob->files = static_cast<int64_t>(sorted->size());
  return blob;
}

Result<LayerBlob> compress_tar(const fs::path& tar, const fs::path& out,
                               const LayerOptions& options) {
  auto writer = GzipHashWriter::open(out, options.compression_level);
  if (!writer) return std::move(writer).error();
  GzipHashWriter& w = **writer;
  SSF_TRY(stream_file(tar, [&w](std::string_view bytes) { return w.write(bytes); }));
  return w.finish();
}

Result<Digest> layer_key(const LayerSpec& spec, const LayerOptions& options,
                         std::string_view salt) {
  std::vector<LayerEntry> parents;
  auto sorted = plan(spec, parents);
  if (!sorted) return std::move(sorted).error();
  Sha256 key;
  key.update(fmt::format("gc-ssf layer v1\nmtime {}\nlevel {}\nend {}\nzlib {}\nsalt {}\n",
                         spec.mtime, options.compression_level, options.end_of_archive,
                         zlibVersion(), salt));
  for (const auto& [path, e] : *sorted) {
    std::string content_digest;
    if (e->kind == LayerEntry::Kind::File) {
      if (e->content) {
        content_digest = Digest::of(*e->content).str();
      } else {
        auto d = Digest::of_file(e->source);
        if (!d) return std::move(d).error();
        content_digest = d->str();
      }
    }
    // Lengths first, so that no choice of names can make two specs hash alike.
    key.update(fmt::format("{} {}\n{} {:o} {} {}\n{}\n", path.size(), path,
                           static_cast<int>(e->kind), e->mode, e->link_target.size(),
                           e->link_target, content_digest));
  }
  return key.finish();
}

}  // namespace ssf::image
