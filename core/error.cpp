#include "core/error.hpp"

namespace tributary {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage: return "usage";
    case ErrorKind::config: return "config";
    case ErrorKind::network: return "network";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::throttled: return "throttled";
    case ErrorKind::server: return "server";
    case ErrorKind::client: return "client";
    case ErrorKind::auth: return "auth";
    case ErrorKind::data: return "data";
    case ErrorKind::volumetry: return "volumetry";
    case ErrorKind::database: return "database";
    case ErrorKind::database_lost: return "database_lost";
    case ErrorKind::interrupted: return "interrupted";
    case ErrorKind::busy: return "busy";
    case ErrorKind::lease_lost: return "lease_lost";
    case ErrorKind::internal: return "internal";
  }
  return "internal";
}

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage: return 2;
    case ErrorKind::config: return 3;
    case ErrorKind::database:
    case ErrorKind::database_lost:
    case ErrorKind::lease_lost: return 4;  // never leaves a worker: it drops the window and goes on
    case ErrorKind::auth: return 5;
    case ErrorKind::network:
    case ErrorKind::timeout:
    case ErrorKind::throttled:
    case ErrorKind::server:
    case ErrorKind::client:
    case ErrorKind::data:
    case ErrorKind::volumetry: return 6;
    case ErrorKind::interrupted: return 130;
    case ErrorKind::busy: return 8;
    case ErrorKind::internal: return 1;
  }
  return 1;
}

void rethrow_with_context(const Error& error, const std::string& context) {
  throw Error(error.kind(), context + ": " + error.what());
}

}  // namespace tributary
