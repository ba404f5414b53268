// The libssh adapter: the only file that calls libssh. Implementation notes:
// - every blocking call is bounded: the session's timeout bounds connect and key exchange, and
//   the exec loop polls with short waits against the command's deadline;
// - known_hosts is given to libssh explicitly (libssh would look under the passwd entry's home,
//   not $HOME), and ~/.ssh/config is not read, so that what connects is what the options say;
// - key text from the environment is imported in memory (ssh_pki_import_privkey_base64): it
//   never reaches a file or ssh-add's command line.

#include <libssh/libssh.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include "remote/remote.h"
#include "remote/tls_channel.h"

namespace ssf::remote {

namespace {

using Clock = std::chrono::steady_clock;

struct SessionDeleter {
  void operator()(ssh_session s) const {
    if (ssh_is_connected(s)) ssh_disconnect(s);
    ssh_free(s);
  }
};
struct ChannelDeleter {
  void operator()(ssh_channel c) const {
    if (ssh_channel_is_open(c)) ssh_channel_close(c);
    ssh_channel_free(c);
  }
};
struct KeyDeleter {
  void operator()(ssh_key k) const { ssh_key_free(k); }
};
using SessionPtr = std::unique_ptr<ssh_session_struct, SessionDeleter>;
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;
using KeyPtr = std::unique_ptr<ssh_key_struct, KeyDeleter>;

Error ssh_error(std::string message) { return Error(ResultCode::SshError, std::move(message)); }

std::filesystem::path default_known_hosts() {
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : "/root") / ".ssh" / "known_hosts";
}

// "ssh-ed25519 SHA256:abc..." as OpenSSH prints it.
std::string fingerprint(ssh_session session) {
  ssh_key raw = nullptr;
  if (ssh_get_server_publickey(session, &raw) != SSH_OK) return "unknown key";
  KeyPtr key(raw);
  unsigned char* hash = nullptr;
  size_t length = 0;
  if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &length) != 0) {
    return "unknown key";
  }
  char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
  std::string out =
      std::string(ssh_key_type_to_char(ssh_key_type(key.get()))) + " " + (text ? text : "?");
  ssh_string_free_char(text);
  ssh_clean_pubkey_hash(&hash);
  return out;
}

Status check_host_key(ssh_session session, const Target& target, const ConnectOptions& options,
                      const std::filesystem::path& known_hosts) {
  const std::string where = target.to_string();
  switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK: return {};
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      return ssh_error(fmt::format(
          "HOST KEY OF {} HAS CHANGED (now {}): refusing to connect; if the change is expected, "
          "remove the old key from {} (ssh-keygen -R {})",
          where, fingerprint(session), known_hosts.string(), target.host));
    case SSH_KNOWN_HOSTS_NOT_FOUND:
    case SSH_KNOWN_HOSTS_UNKNOWN: {
      std::string fp = fingerprint(session);
      if (options.host_key_policy != HostKeyPolicy::AcceptNew) {
        return ssh_error(fmt::format(
            "host key of {} is not known ({}): check the fingerprint, then accept it once with "
            "--ssh-accept-new-host-key or add it to {} (ssh-keyscan)",
            where, fp, known_hosts.string()));
      }
      std::error_code ec;
      std::filesystem::create_directories(known_hosts.parent_path(), ec);
      if (ssh_session_update_known_hosts(session) != SSH_OK) {
        return ssh_error(fmt::format("cannot record the host key of {} in {}: {}", where,
                                     known_hosts.string(), ssh_get_error(session)));
      }
      log::warning("Accepted the new host key of {} ({}) into {}", where, fp, known_hosts.string());
      return {};
    }
    case SSH_KNOWN_HOSTS_ERROR:
    default:
      return ssh_error(
          fmt::format("cannot check the host key of {}: {}", where, ssh_get_error(session)));
  }
}

Status authenticate(ssh_session session, const Target& target, const ConnectOptions& options) {
  std::vector<std::string> tried;
  auto try_key = [&](ssh_key key) {
    return ssh_userauth_publickey(session, nullptr, key) == SSH_AUTH_SUCCESS;
  };
  if (options.key_file) {
    ssh_key raw = nullptr;
    if (ssh_pki_import_privkey_file(options.key_file->c_str(), nullptr, nullptr, nullptr, &raw) !=
        SSH_OK) {
      return ssh_error(
          fmt::format("cannot read the SSH key {} (missing, or protected by a "
                      "passphrase: use ssh-agent for those)",
                      options.key_file->string()));
    }
    KeyPtr key(raw);
    if (try_key(key.get())) return {};
    tried.push_back("key file " + options.key_file->string());
  }
  for (size_t i = 0; i < options.keys.size(); ++i) {
    ssh_key raw = nullptr;
    if (ssh_pki_import_privkey_base64(options.keys[i].reveal().c_str(), nullptr, nullptr, nullptr,
                                      &raw) != SSH_OK) {
      return ssh_error(
          fmt::format("SSH key #{} given by --add-ssh-key is not a private key", i + 1));
    }
    KeyPtr key(raw);
    if (try_key(key.get())) return {};
    tried.push_back("--add-ssh-key key #" + std::to_string(i + 1));
  }
  const char* agent = std::getenv("SSH_AUTH_SOCK");
  if (options.use_agent && agent && *agent) {
    if (ssh_userauth_agent(session, nullptr) == SSH_AUTH_SUCCESS) return {};
    tried.push_back("ssh-agent");
  }
  if (tried.empty()) {
    return ssh_error(fmt::format(
        "authentication to {} failed: no key to offer (give --ssh-key <file>, --add-ssh-key "
        "<ENV>, or run an ssh-agent)",
        target.to_string()));
  }
  return ssh_error(fmt::format("authentication to {} failed: refused {}", target.to_string(),
                               join(tried, ", ")));
}

}  // namespace

struct SshSession::Impl {
  SessionPtr session;
  Target target;

  Result<ChannelPtr> open_channel() {
    ChannelPtr channel(ssh_channel_new(session.get()));
    if (!channel) return ssh_error("cannot create a channel to " + target.to_string());
    return channel;
  }
  Error channel_error(std::string_view what) {
    return ssh_error(
        fmt::format("{} on {}: {}", what, target.to_string(), ssh_get_error(session.get())));
  }
};

SshSession::SshSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SshSession::~SshSession() = default;

std::string SshSession::where() const { return impl_->target.to_string(); }

Result<std::unique_ptr<SshSession>> connect(const Target& target, const ConnectOptions& options) {
  SessionPtr session(ssh_new());
  if (!session) return ssh_error("cannot create an SSH session");
  ssh_session s = session.get();
  std::filesystem::path known_hosts =
      options.known_hosts.empty() ? default_known_hosts() : options.known_hosts;
  int port = target.port;
  long timeout_usec = static_cast<long>(options.connect_timeout.count()) * 1000;
  bool no = false;
  ssh_options_set(s, SSH_OPTIONS_HOST, target.host.c_str());
  ssh_options_set(s, SSH_OPTIONS_PORT, &port);
  if (!target.user.empty()) ssh_options_set(s, SSH_OPTIONS_USER, target.user.c_str());
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &timeout_usec);
  ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str());
  ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);

  auto started = Clock::now();
  if (ssh_connect(s) != SSH_OK) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    return ssh_error(fmt::format("cannot connect to {}: {} (after {:.1f} s)", target.to_string(),
                                 ssh_get_error(s), ms.count() / 1000.0));
  }
  SSF_TRY(check_host_key(s, target, options, known_hosts));
  SSF_TRY(authenticate(s, target, options));
  auto impl = std::make_unique<SshSession::Impl>();
  impl->session = std::move(session);
  impl->target = target;
  log::debug("SSH session to {} open", target.to_string());
  return std::make_unique<SshSession>(std::move(impl));
}

Result<Output> SshSession::run(const Command& command, const RunOptions& options) {
  const auto deadline = Clock::now() + options.timeout;
  auto channel = impl_->open_channel();
  if (!channel) return std::move(channel).error();
  ssh_channel ch = channel->get();
  if (ssh_channel_open_session(ch) != SSH_OK) return impl_->channel_error("cannot open a session");
  const std::string line = render(command);
  if (ssh_channel_request_exec(ch, line.c_str()) != SSH_OK) {
    return impl_->channel_error("cannot run a command");
  }
  const std::string input = render_stdin(command);
  for (size_t sent = 0; sent < input.size();) {
    int n = ssh_channel_write(ch, input.data() + sent, static_cast<uint32_t>(input.size() - sent));
    if (n == SSH_ERROR) return impl_->channel_error("cannot write the command's input");
    sent += static_cast<size_t>(n);
  }
  ssh_channel_send_eof(ch);

  Output output;
  char buffer[16384];
  while (true) {
    if (Clock::now() > deadline) {
      return ssh_error(fmt::format("'{}' on {} did not finish within {} s", log::redact(line),
                                   where(), options.timeout.count() / 1000));
    }
    bool progressed = false;
    for (int is_stderr : {0, 1}) {
      int n = ssh_channel_read_nonblocking(ch, buffer, sizeof(buffer), is_stderr);
      if (n == SSH_ERROR) return impl_->channel_error("the command's output broke off");
      if (n > 0) {
        (is_stderr ? output.err : output.out).append(buffer, static_cast<size_t>(n));
        progressed = true;
      }
    }
    if (progressed) continue;
    if (ssh_channel_is_eof(ch) || ssh_channel_is_closed(ch)) break;
    // Waits for data on stdout (stderr is drained on the next turn) at most 50 ms.
    int n = ssh_channel_read_timeout(ch, buffer, sizeof(buffer), 0, 50);
    if (n == SSH_ERROR) return impl_->channel_error("the command's output broke off");
    if (n > 0) output.out.append(buffer, static_cast<size_t>(n));
  }
  int status = ssh_channel_get_exit_status(ch);
  // No exit-status message: the command was killed by a signal (exit-signal), or the server
  // closed the channel without one.
  output.exit_code = status < 0 ? 255 : status;
  return output;
}

Result<std::string> SshSession::exchange(std::string_view host, uint16_t port,
                                         std::string_view request,
                                         std::chrono::milliseconds timeout, bool tls) {
  const auto deadline = Clock::now() + timeout;
  auto channel = impl_->open_channel();
  if (!channel) return std::move(channel).error();
  ssh_channel ch = channel->get();
  const std::string target_host(host);
  if (ssh_channel_open_forward(ch, target_host.c_str(), port, "127.0.0.1", 0) != SSH_OK) {
    return ssh_error(fmt::format("cannot connect to {}:{} from {}: {}", host, port, where(),
                                 ssh_get_error(impl_->session.get())));
  }
  if (tls)
    return tls_exchange(ch, request, deadline, fmt::format("{}:{} from {}", host, port, where()));
  for (size_t sent = 0; sent < request.size();) {
    int n =
        ssh_channel_write(ch, request.data() + sent, static_cast<uint32_t>(request.size() - sent));
    if (n == SSH_ERROR) return impl_->channel_error("forwarded connection broke off");
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buffer[16384];
  while (!ssh_channel_is_eof(ch) && !ssh_channel_is_closed(ch)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return ssh_error(fmt::format("no answer from {}:{} on {} within {} ms", host, port, where(),
                                   timeout.count()));
    }
    int n = ssh_channel_read_timeout(ch, buffer, sizeof(buffer), 0,
                                     static_cast<int>(std::min<int64_t>(left.count(), 100)));
    if (n == SSH_ERROR) return impl_->channel_error("forwarded connection broke off");
    if (n > 0) response.append(buffer, static_cast<size_t>(n));
  }
  return response;
}

}  // namespace ssf::remote
