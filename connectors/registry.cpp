// Every connector kind, registered in one place.
#include "connectors/connector.hpp"
#include "connectors/rest/rest_stream.hpp"
#include "core/error.hpp"

namespace tributary::connectors {

std::unique_ptr<Connector> make_connector(ConnectorConfig config) {
  if (config.kind == "rest") return std::make_unique<RestConnector>(std::move(config));
  throw Error(ErrorKind::config, config.path + ": unknown connector kind '" + config.kind + "'");
}

}  // namespace tributary::connectors
