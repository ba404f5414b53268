#include "image/digest.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>

namespace ssf::image {

struct Sha256::State {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  State() { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
  ~State() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : state_(std::make_unique<State>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t size) {
  EVP_DigestUpdate(state_->ctx, data, size);
}

Digest Sha256::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(state_->ctx, md.data(), &length);
  EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    text += kHex[md[i] >> 4];
    text += kHex[md[i] & 0xf];
  }
  return Digest(std::move(text));
}

Result<Digest> Digest::parse(std::string_view text) {
  bool ok = text.size() == 71 && text.substr(0, 7) == "sha256:";
  for (size_t i = 7; ok && i < text.size(); ++i) {
    char c = text[i];
    ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
  if (!ok) return Error(ResultCode::PackagingError, fmt::format("not a sha256 digest: '{}'", text));
  return Digest(std::string(text));
}

Digest Digest::of(std::string_view bytes) {
  Sha256 hasher;
  hasher.update(bytes);
  return hasher.finish();
}

Result<Digest> Digest::of_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ResultCode::PackagingError, fmt::format("cannot read {}", path.string()));
  Sha256 hasher;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    hasher.update(buffer.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Error(ResultCode::PackagingError, fmt::format("cannot read {}", path.string()));
  return hasher.finish();
}

}  // namespace ssf::image
