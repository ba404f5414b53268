// TempFile uploads written where the application can open them by path, as upstream's
// NamedTemporaryFile(prefix="<app id>_", suffix=<extension>) did.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "types/internal.h"

namespace ssf::types::internal {

Result<std::optional<std::filesystem::path>> write_upload(const std::filesystem::path& dir,
                                                          std::string_view prefix,
                                                          std::string_view extension,
                                                          std::string_view data) {
  using Path = std::optional<std::filesystem::path>;
  if (extension.find('\0') != std::string_view::npos ||
      prefix.find('\0') != std::string_view::npos) {
    return Path();
  }
  std::string name = (dir / (std::string(prefix) + "XXXXXX" + std::string(extension))).string();
  // mkostemps creates the file with mode 0600; close-on-exec keeps it out of spawned workers.
  int fd = mkostemps(name.data(), static_cast<int>(extension.size()), O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENAMETOOLONG) return Path();  // a client's very long extension
    return Error(ResultCode::InternalError,
                 "cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno));
  }
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      ::unlink(name.c_str());
      return Error(ResultCode::InternalError, "cannot write " + name + ": " + std::strerror(saved));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    int saved = errno;
    ::unlink(name.c_str());
    return Error(ResultCode::InternalError, "cannot write " + name + ": " + std::strerror(saved));
  }
  return Path(std::filesystem::path(name));
}

}  // namespace ssf::types::internal
