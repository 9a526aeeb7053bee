#pragma once
// Errors carry a kind; the kind (never the message text) decides retries and exit codes.
#include <stdexcept>
#include <string>
#include <string_view>

namespace tributary {

enum class ErrorKind {
  usage,        // bad command line: dates, ranges, unknown stream or run
  config,       // connector file or environment
  network,      // connection refused/reset, DNS, TLS, truncated answer
  timeout,      // the source did not answer in time
  throttled,    // 429 after every retry
  server,       // 5xx after every retry
  client,       // other 4xx: the request itself is wrong
  auth,         // credentials refused (invalid_grant, 401 after a refresh)
  data,         // the source answered something we cannot read
  volumetry,    // loaded records do not match the source's count
  database,     // PostgreSQL unreachable or a statement failed
  database_lost,  // the connection dropped mid-run (server restart): reconnect, redo from the checkpoint
  interrupted,  // SIGINT / SIGTERM
  busy,         // another run is writing the same stream (one writer per stream)
  lease_lost,   // this process no longer holds the window: another worker may; drop it, take another
  internal,
};

std::string_view to_string(ErrorKind kind);

// Documented in README "Exit codes".
int exit_code_for(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// Prefixes a context ("stream invoices, window [a, b), page 3") to an error's message, keeping its kind.
[[noreturn]] void rethrow_with_context(const Error& error, const std::string& context);

}  // namespace tributary
