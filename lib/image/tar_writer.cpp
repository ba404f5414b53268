#include "image/tar_writer.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace ssf::image {
namespace {

constexpr size_t kBlock = 512;
constexpr uint64_t kMaxUstarSize = 077777777777ULL;  // 11 octal digits

// An octal number right-aligned in `width - 1` digits and a NUL, as ustar wants it.
void put_octal(char* field, size_t width, uint64_t value) {
  std::string digits = fmt::format("{:0{}o}", value, width - 1);
  std::memcpy(field, digits.data(), std::min(digits.size(), width - 1));
  field[width - 1] = '\0';
}

// One pax record: "<len> <key>=<value>\n", where <len> counts the whole record, itself included.
std::string pax_record(std::string_view key, std::string_view value) {
  size_t body = 1 + key.size() + 1 + value.size() + 1;  // " key=value\n"
  size_t len = body + 1;
  while (std::to_string(len).size() + body != len) len = std::to_string(len).size() + body;
  return fmt::format("{} {}={}\n", len, key, value);
}

Status pad(const TarWriter::Sink& sink, uint64_t size) {
  static const std::array<char, kBlock> zeros{};
  size_t rest = size % kBlock;
  if (rest == 0) return {};
  return sink(std::string_view(zeros.data(), kBlock - rest));
}

}  // namespace

Status TarWriter::header(std::string_view path, char type, uint32_t mode, int64_t mtime,
                         uint64_t size, std::string_view link) {
  std::string pax;
  if (path.size() > 100) pax += pax_record("path", path);
  if (link.size() > 100) pax += pax_record("linkpath", link);
  if (size > kMaxUstarSize) pax += pax_record("size", std::to_string(size));
  if (!pax.empty()) {
    // A fixed name for the extended header (GNU tar puts its pid there, which is not reproducible).
    std::string name = "PaxHeaders/" + std::string(path.substr(path.size() > 80 ? path.size() - 80 : 0));
    SSF_TRY(header(name, 'x', 0644, mtime, pax.size(), ""));
    SSF_TRY(sink_(pax));
    SSF_TRY(pad(sink_, pax.size()));
  }
  std::array<char, kBlock> h{};
  std::memcpy(h.data(), path.data(), std::min<size_t>(path.size(), 100));
  put_octal(&h[100], 8, mode & 07777);
  put_octal(&h[108], 8, 0);
  put_octal(&h[116], 8, 0);
  put_octal(&h[124], 12, std::min<uint64_t>(size, kMaxUstarSize));
  put_octal(&h[136], 12, static_cast<uint64_t>(std::max<int64_t>(mtime, 0)));
  std::memset(&h[148], ' ', 8);
  h[156] = type;
  std::memcpy(&h[157], link.data(), std::min<size_t>(link.size(), 100));
  std::memcpy(&h[257], "ustar\0" "00", 8);
  put_octal(&h[329], 8, 0);
  put_octal(&h[337], 8, 0);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::string check = fmt::format("{:06o}", sum);
  std::memcpy(&h[148], check.data(), 6);
  h[154] = '\0';
  h[155] = ' ';
  return sink_(std::string_view(h.data(), h.size()));
}

Status TarWriter::add_directory(std::string_view path, uint32_t mode, int64_t mtime) {
  std::string name(path);
  if (name.empty() || name.back() != '/') name += '/';
  return header(name, '5', mode, mtime, 0, "");
}

Status TarWriter::add_symlink(std::string_view path, std::string_view target, int64_t mtime) {
  return header(path, '2', 0777, mtime, 0, target);
}

Status TarWriter::add_file(std::string_view path, uint32_t mode, int64_t mtime, uint64_t size,
                           const std::function<Status(const Sink& put)>& write_content) {
  SSF_TRY(header(path, '0', mode, mtime, size, ""));
  uint64_t written = 0;
  Sink counted = [&](std::string_view bytes) -> Status {
    written += bytes.size();
    if (written > size) {
      return Error(ResultCode::PackagingError,
                   fmt::format("{}: the file grew while it was being packaged", path));
    }
    return sink_(bytes);
  };
  SSF_TRY(write_content(counted));
  if (written != size) {
    return Error(ResultCode::PackagingError,
                 fmt::format("{}: the file shrank while it was being packaged", path));
  }
  return pad(sink_, size);
}

Status TarWriter::add_file(std::string_view path, uint32_t mode, int64_t mtime,
                           std::string_view content) {
  return add_file(path, mode, mtime, content.size(),
                  [&](const Sink& put) { return put(content); });
}

Status TarWriter::finish() {
  static const std::array<char, 2 * kBlock> zeros{};
  return sink_(std::string_view(zeros.data(), zeros.size()));
}

}  // namespace ssf::image
