#pragma once
// Content digests (image-spec: descriptor.md, "Digests"). Only sha256 is produced or accepted:
// it is what every registry and runtime in use speaks.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/core.h"

namespace ssf::image {

class Digest {
 public:
  // "sha256:" followed by 64 lowercase hex digits. Errors: PackagingError naming the text.
  static Result<Digest> parse(std::string_view text);
  // The digest of `bytes`.
  static Digest of(std::string_view bytes);
  // The digest of a file's content, read in chunks. Errors: PackagingError naming the path.
  static Result<Digest> of_file(const std::filesystem::path& path);

  const std::string& str() const { return text_; }   // "sha256:ab12..."
  std::string_view hex() const { return std::string_view(text_).substr(7); }
  auto operator<=>(const Digest&) const = default;

 private:
  explicit Digest(std::string text) : text_(std::move(text)) {}
  friend class Sha256;
  std::string text_;
};

// A streaming SHA-256, for content hashed while it is written or received.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(const void* data, size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  // The digest of everything given; the hasher is then reset for reuse.
  Digest finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ssf::image
