#pragma once
// remote: commands on another host, over SSH (libssh). The only header of this module that others
// include.
//
//   Command       an argv of plain words, plus what goes on the channel's stdin and secret
//                 environment variables; built as data, so that it can be printed and tested
//   render()      the one string an exec request carries (each word through shell_quote())
//   Runner        run(Command) -> exit code, stdout, stderr; exchange() over a forwarded TCP
//                 connection. Implemented by SshSession; tests implement it with a fake.
//   connect()     an SshSession: connect with a timeout, host key checked against known_hosts,
//                 public-key authentication from a key file, keys held in memory, or the agent
//
// Secrets never appear in a rendered command: they go on the channel's stdin (a password for
// `docker login --password-stdin`) or, for environment variables, as a script on stdin that the
// remote shell reads with `.` before it execs the command (see render()). Neither the local nor
// the remote process list shows them.
//
// Errors from this module carry ResultCode::SshError (5); callers may choose another code at
// their edge (deploy answers 177 as upstream does).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/core.h"

namespace ssf::remote {

struct Command {
  std::vector<std::string> argv;  // plain words: nothing secret
  // Sent on the channel's stdin, followed by EOF. Empty: EOF at once.
  Secret stdin_data;
  // Environment variables the command gets, kept off every command line because they may hold
  // secrets (an API key inside SSF_OPTIONS, an SSH key); register those with log::add_secret
  // (Secret does) so that logs redact them. Not compatible with stdin_data: they travel on stdin.
  std::vector<std::pair<std::string, std::string>> env;
};

// `word` quoted for a POSIX shell: unchanged when it is made of safe characters only
// ([A-Za-z0-9_@%+=:,./-]), else in single quotes, each ' written as '\''. "" gives ''.
std::string shell_quote(std::string_view word);

// The command line of an exec request: the quoted words joined by spaces. With env, the line is
//   sh -c '. /dev/stdin && exec "$@"' sh <quoted argv>
// and stdin() holds `export NAME='value'` lines, so values never reach a command line.
std::string render(const Command& command);
// What goes on stdin for `command`: stdin_data, or the env script. Secret, as its parts are.
std::string render_stdin(const Command& command);

struct Output {
  int exit_code = 0;  // the remote status; 128 + N for a signal, as a shell reports it
  std::string out;
  std::string err;
};

struct RunOptions {
  // The whole command, from the exec request to the exit status.
  std::chrono::milliseconds timeout = std::chrono::minutes(10);
};

// Runs commands on one host. Not thread-safe: one thread at a time per Runner.
class Runner {
 public:
  virtual ~Runner() = default;
  // The host this runner reaches, as shown in messages ("user@10.0.0.5:2222").
  virtual std::string where() const = 0;
  // Runs `command` and waits for its exit status. A non-zero exit is not an error here.
  // Errors: SshError when the channel cannot be opened, breaks, or the timeout passes.
  virtual Result<Output> run(const Command& command, const RunOptions& options = {}) = 0;
  // Opens a TCP connection from the remote host to host:port (an SSH port forward), writes
  // `request`, and returns everything read until the peer closes or `timeout` passes. With
  // `tls`, the bytes go through a TLS client session inside the forward (TLS 1.2 or later; the
  // server's certificate is not verified: the peer is reached through the authenticated SSH
  // connection, at an address on the host, and its certificate names what clients use).
  // Errors: SshError when the connection cannot be made (nothing listening, forwarding refused)
  // or the TLS handshake fails.
  virtual Result<std::string> exchange(std::string_view host, uint16_t port,
                                       std::string_view request,
                                       std::chrono::milliseconds timeout, bool tls) = 0;
};

// "host", "host:port", "[v6]:port", with an optional "user@" in front.
struct Target {
  std::string user;  // empty: the local user name
  std::string host;
  uint16_t port = 22;
  std::string to_string() const;  // "user@host:port" (":port" only when not 22)
};
// `user` is used when `address` has no "user@". Errors: ArgumentError for an empty host or a
// port that is not 1..65535.
Result<Target> parse_target(std::string_view address, std::string_view user = {});

enum class HostKeyPolicy {
  Strict,     // only hosts in known_hosts; an unknown host is refused with its fingerprint
  AcceptNew,  // an unknown host is accepted once and recorded in known_hosts
};
// A changed key is refused under both policies.

struct ConnectOptions {
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  // Default: $HOME/.ssh/known_hosts (created with AcceptNew when missing).
  std::filesystem::path known_hosts;
  HostKeyPolicy host_key_policy = HostKeyPolicy::Strict;
  // Tried in this order: the key file, the in-memory keys (PEM or OpenSSH text), the agent.
  std::optional<std::filesystem::path> key_file;
  std::vector<Secret> keys;
  bool use_agent = true;  // when SSH_AUTH_SOCK is set
};

// A connected, authenticated SSH session. Closed when destroyed.
class SshSession : public Runner {
 public:
  ~SshSession() override;
  std::string where() const override;
  Result<Output> run(const Command& command, const RunOptions& options = {}) override;
  Result<std::string> exchange(std::string_view host, uint16_t port, std::string_view request,
                               std::chrono::milliseconds timeout, bool tls) override;

  struct Impl;
  explicit SshSession(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// Connects and authenticates. Errors (SshError), each naming the target:
//   "cannot connect to <t>: <reason>" (includes the timeout),
//   "host key of <t> is not known (<type> SHA256:<fp>): ...",
//   "HOST KEY OF <t> HAS CHANGED ...",
//   "authentication to <t> failed: ...".
Result<std::unique_ptr<SshSession>> connect(const Target& target, const ConnectOptions& options);

}  // namespace ssf::remote
