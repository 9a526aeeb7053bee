// Every connector kind, registered in one place.
#include "connectors/connector.hpp"
#include "connectors/rest/rest_stream.hpp"
#include "core/error.hpp"

namespace tributary::connectors {

std::string to_string(Guarantee g) {
  switch (g) {
    case Guarantee::keyset: return "keyset";
    case Guarantee::sweep: return "sweep";
    case Guarantee::source_cursor: return "source_cursor";
    case Guarantee::single_request: return "single_request";
    case Guarantee::unverified: return "unverified";
  }
  return "unverified";
}

std::unique_ptr<Connector> make_connector(ConnectorConfig config) {
  if (config.kind == "rest") return std::make_unique<RestConnector>(std::move(config));
  throw Error(ErrorKind::config, config.path + ": unknown connector kind '" + config.kind + "'");
}

}  // namespace tributary::connectors
