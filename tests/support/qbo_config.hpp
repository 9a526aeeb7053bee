#pragma once
// A QuickBooks connector config built by hand, as config/quickbooks.yaml declares it, for unit
// tests of the request side without files or environment.
#include "connectors/config.hpp"

namespace tributary::testing {

inline connectors::ConnectorConfig qbo_connector_config(int page_size, const std::string& base_url = "https://quickbooks.api.intuit.com",
                                                        const std::string& realm = "9130357") {
  connectors::ConnectorConfig c;
  c.path = "/etc/tributary/quickbooks.yaml";
  c.kind = "rest";
  c.name = "quickbooks";
  c.account = realm;
  c.base_url = base_url;
  c.extension = "quickbooks";
  c.auth.kind = "oauth2_refresh";
  c.auth.client_id = "ABclientid";
  c.auth.client_secret = Secret("cs-VERY-SECRET-111");
  c.auth.refresh_token = Secret("rt-VERY-SECRET-222");
  connectors::StreamConfig s;
  s.name = "invoices";
  s.table = "raw.qbo_invoices";
  s.page_size = page_size;
  s.rest.path = "/v3/company/" + realm + "/query";
  s.rest.params = {{"minorversion", "75"}};
  s.rest.records = "/QueryResponse/Invoice";
  s.rest.primary_key = {"/Id"};
  s.rest.cursor = connectors::CursorSpec{"/MetaData/LastUpdatedTime", connectors::TimeFormat::iso8601};
  s.extension.values = {{"entity", "Invoice"}};
  s.extension.where = c.path + ":40:5";
  c.streams.push_back(s);
  return c;
}

}  // namespace tributary::testing
