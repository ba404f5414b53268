#include "package_bundle.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace ssf::cli::package {

extern const std::string_view kDockerfileTemplate;

namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Appends `from` to the open file `fd` in the kernel (copy_file_range), without a user-space copy.
Status append_file(int fd, const fs::path& from) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Error(ResultCode::PackagingError, "cannot read " + from.string());
  struct stat st {};
  ::fstat(in, &st);
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = ::copy_file_range(in, nullptr, fd, nullptr, static_cast<size_t>(left), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Filesystems or kernels without copy_file_range: read and write.
      char buffer[1 << 16];
      ssize_t r = ::read(in, buffer, sizeof buffer);
      if (r <= 0 || ::write(fd, buffer, static_cast<size_t>(r)) != r) {
        ::close(in);
        return Error(ResultCode::PackagingError, "cannot copy " + from.string());
      }
      n = r;
    }
    left -= n;
  }
  ::close(in);
  return {};
}

}  // namespace

std::string dockerfile(const config::Config& config, const std::string& tag,
                       const std::string& base_reference, const std::string& config_in_image) {
  const auto& app = config.application;
  nlohmann::json cmd = nlohmann::json::array();
  if (!config_in_image.empty()) cmd = {"--config", config_in_image, "run"};
  std::string text(kDockerfileTemplate);
  text = replace_all(text, "{{baseimage}}", base_reference);
  text = replace_all(text, "{{docker_run}}", trim(app.package.docker_run));
  text = replace_all(text, "{{cmd}}", cmd.dump());
  text = replace_all(text, "{{start_period}}", std::to_string(app.startup_timeout));
  text = replace_all(text, "{{tag}}", tag);
  text = replace_all(text, "{{ssf_version}}", std::string(config::kSsfVersion));
  text = replace_all(text, "{{app_id}}", app.id);
  text = replace_all(text, "{{app_name}}", nlohmann::json(app.name).dump());
  text = replace_all(text, "{{app_version_json}}", nlohmann::json(app.version).dump());
  text = replace_all(text, "{{app_version}}", app.version);
  return text;
}

Status write_bundle(const fs::path& out, const std::string& dockerfile_text, const AppFiles* files,
                    const fs::path& runtime_blob, int64_t epoch) {
  auto temp = TempDir::create("gc-ssf-bundle-");
  if (!temp) return std::move(temp).error();
  image::LayerSpec head;
  if (files) head = application_layer(*files, epoch);
  head.mtime = epoch;
  head.entries.push_back(
      image::LayerEntry{image::LayerEntry::Kind::File, "Dockerfile", 0644, {}, dockerfile_text, {}});
  image::LayerOptions options;
  options.end_of_archive = false;
  fs::path head_blob = temp->path() / "head.gz";
  auto written = image::write_layer(head, head_blob, options);
  if (!written) return std::move(written).error();

  fs::path partial = out.parent_path() / fmt::format(".{}.tmp-{}", out.filename().string(), ::getpid());
  Status status = [&]() -> Status {
    int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Error(ResultCode::PackagingError, "cannot write " + partial.string());
    Status appended = append_file(fd, head_blob);
    if (appended) appended = append_file(fd, runtime_blob);
    if (::close(fd) != 0 && appended) {
      appended = Error(ResultCode::PackagingError, "cannot write " + partial.string());
    }
    return appended;
  }();
  std::error_code ec;
  if (status) fs::rename(partial, out, ec);
  if (!status || ec) {
    fs::remove(partial, ec);
    if (status) return Error(ResultCode::PackagingError, "cannot write " + out.string());
  }
  return status;
}

}  // namespace ssf::cli::package
