// Test controls shared by the JSON API mocks (QuizOps, generic REST): one fault rule shape and
// one statistics shape, so tests and the demo steer every such mock the same way.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tributary::mock {

// Applied to the next matching requests, in the order added: the first unexhausted rule whose
// path_prefix matches lets `skip` requests pass (a later rule waits meanwhile), then hits
// `times` requests. Admin endpoints (/__admin/...) never match.
struct HttpFaultRule {
  std::string path_prefix = "/";
  int skip = 0;
  int times = 1;
  // 0 = no status fault; else answer this status with the mock's body shape for it.
  int status = 0;
  std::optional<int> retry_after_seconds;  // adds a Retry-After header (any answer)
  int delay_ms = 0;              // sleep before answering
  bool drop_connection = false;  // declare Content-Length, send half the body, close
  bool malformed_json = false;   // 200 with a truncated (invalid) JSON body
  bool html_page = false;        // 200 with an HTML page (a login wall or proxy page), text/html
};

struct MockStats {
  int requests = 0;  // every non-admin request, faulted and rejected ones included
  std::map<int, int> by_status;
  int faults_served = 0;
  std::vector<std::string> targets;  // path?query of each non-admin request, as received, in order
};

}  // namespace tributary::mock
