// Every connector kind and extension, registered in one place.
#include "connectors/connector.hpp"
#include "connectors/qbo/qbo_stream.hpp"
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

const Extension* find_extension(const std::string& name) {
  if (name == "quickbooks") return &qbo::extension();
  return nullptr;
}

std::unique_ptr<Connector> make_connector(ConnectorConfig config) {
  const Extension* extension = nullptr;
  if (!config.extension.empty()) {
    extension = find_extension(config.extension);
    if (extension == nullptr) {
      throw Error(ErrorKind::config, config.extension_where + ": unknown extension '" + config.extension +
                                         "' (expected: quickbooks)");
    }
  }
  if (config.kind == "rest") return std::make_unique<RestConnector>(std::move(config), extension);
  throw Error(ErrorKind::config, config.path + ": unknown connector kind '" + config.kind + "'");
}

}  // namespace tributary::connectors
