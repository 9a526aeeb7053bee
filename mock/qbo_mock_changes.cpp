// Deletions and the change data capture endpoint: the part of the mock that lets a client see
// what changed, including what disappeared, since a point in time (mock/qbo_cdc.hpp).
#include "mock/qbo_cdc.hpp"
#include "mock/qbo_mock_impl.hpp"
#include "mock/qbo_time.hpp"

namespace tributary::mock {

void QboMock::Impl::delete_records(const std::string& entity, const std::vector<std::string>& ids) {
  mutate_ids(entity, ids, &Dataset::remove);
}

void QboMock::Impl::restore_records(const std::string& entity, const std::vector<std::string>& ids) {
  mutate_ids(entity, ids, &Dataset::restore);
}

std::vector<MockRecord> QboMock::Impl::deleted_records(const std::string& entity) const {
  auto kind = Dataset::kind_of(entity);
  if (!kind) throw std::invalid_argument("unknown entity '" + entity + "'");
  std::lock_guard lock(mutex_);
  std::vector<MockRecord> out;
  for (const Record& r : data_.records(*kind)) {
    if (r.deleted) out.push_back(MockRecord{std::to_string(r.id), deleted_stub_json(r), format_utc(r.updated_utc)});
  }
  return out;
}

HttpAnswer QboMock::Impl::answer_cdc(const httplib::Request& req, const std::string& realm, BodyFormat format) {
  std::int64_t now = now_utc_ms();
  std::lock_guard lock(mutex_);
  if (auto denied = check_access(req, realm, format, now)) return *denied;
  std::string time = format_pacific_ms(now);
  auto param = [&](const char* name) {
    return req.has_param(name) ? std::optional<std::string>(req.get_param_value(name)) : std::nullopt;
  };
  // minorversion is accepted and ignored, as on the query endpoint.
  auto parsed = parse_cdc_request(param("entities"), param("changedSince"), now);
  if (auto* err = std::get_if<QueryError>(&parsed)) return query_error_answer(*err, format, time);
  auto changes = select_changes(std::get<CdcRequest>(parsed), data_, options_.cdc_max_objects);
  return ok_answer(format, format == BodyFormat::Json ? render_cdc_json(changes, time)
                                                      : render_cdc_xml(changes, time));
}

// --- public API -------------------------------------------------------------------------

void QboMock::delete_records(const std::string& entity, const std::vector<std::string>& ids) {
  impl_->delete_records(entity, ids);
}
void QboMock::restore_records(const std::string& entity, const std::vector<std::string>& ids) {
  impl_->restore_records(entity, ids);
}
std::vector<MockRecord> QboMock::deleted_records(const std::string& entity) const {
  return impl_->deleted_records(entity);
}

}  // namespace tributary::mock
