// The simdjson kernels: which one runs is reported (the debug log line), and every kernel this
// CPU can run reads pages exactly alike, so the runtime choice made on another machine (an
// older CPU gets westmere or fallback) cannot change what is extracted.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "connectors/json_kernel.hpp"
#include "connectors/qbo/qbo_response.hpp"
#include "connectors/rest/json_page.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#define TRIB_TEST_STRINGIFY_IMPL(x) #x
#define TRIB_TEST_STRINGIFY(x) TRIB_TEST_STRINGIFY_IMPL(x)

namespace tributary::connectors {
namespace {

// Every kernel of the library that this CPU can run.
std::vector<const simdjson::implementation*> runnable_kernels() {
  std::vector<const simdjson::implementation*> out;
  for (auto* impl : simdjson::get_available_implementations()) {
    if (impl->supported_by_runtime_system()) out.push_back(impl);
  }
  return out;
}

// Runs `f` on a new thread under `kernel`: the readers keep one parser per thread, and a parser
// keeps the kernel that was active when it first allocated.
template <typename F>
void under_kernel(const simdjson::implementation* kernel, F f) {
  const simdjson::implementation* saved = simdjson::get_active_implementation();
  simdjson::get_active_implementation() = kernel;
  std::thread worker(f);
  worker.join();
  simdjson::get_active_implementation() = saved;
}

// What a reader made of a body: its result as text, or its error.
template <typename Read>
std::string outcome(std::string body, Read read) {
  try {
    return read(body);
  } catch (const Error& e) {
    return std::string("error ") + e.what();
  }
}

std::string page_text(const PageReading& r) {
  std::string out;
  for (const auto& rec : r.records) {
    out += rec.id + " | " + std::string(rec.json) + " | " +
           (rec.updated_at ? format_utc_micros(*rec.updated_at) : "-") + " | " +
           rec.reject_reason + " | " + std::to_string(rec.index) + "\n";
  }
  return out + "next " + r.next.value_or("-") + " total " + (r.total ? std::to_string(*r.total) : "-");
}

// Records that make each kernel work: escapes and surrogate pairs in keys (unescaping is the
// runtime kernel's), strings longer than a 64-byte block, numbers of every shape, nesting,
// composite keys, a record with a byte that is not UTF-8.
std::string tricky_page() {
  std::string long_text(150, 'x');
  std::string page = R"({"data":{"items":[)";
  for (int i = 0; i < 40; ++i) {
    if (i) page += ",\n  ";
    page += R"({"id":")" + std::to_string(i) + R"(\"q\\\u00e9\ud83d\ude00","n":)" + std::to_string(i * 7919) +
            R"(,"f":-1.5e)" + std::to_string(i % 30) + R"(,"big":18446744073709551615,"t":"2024-03-0)" +
            std::to_string(1 + i % 9) + R"(T10:00:00Z","nested":{"a":[1,[2,{"b":null}],true,false]},)" +
            R"("long":")" + long_text + (i == 17 ? "\xff" : "") + R"(","unicode":"\u0041\u00df\u4e2d"})";
  }
  return page + R"(]},"next":"cur\u0073or-2","total":40})";
}

RestStreamSpec tricky_spec(std::vector<std::string> key) {
  RestStreamSpec s;
  s.records = "/data/items";
  s.primary_key = std::move(key);
  s.cursor = CursorSpec{"/t", TimeFormat::iso8601};
  return s;
}

std::string read_tricky(std::string& body, const RestStreamSpec& spec) {
  return page_text(read_json_page(body, spec, "/next", "/total"));
}

TEST(JsonKernel, ReportsTheLibrarysRuntimeChoice) {
  auto k = json_kernel();
  EXPECT_EQ(k.active, simdjson::get_active_implementation()->name());
  EXPECT_EQ(k.compiled, TRIB_TEST_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION));
  EXPECT_TRUE(k.runnable);
  ASSERT_FALSE(k.supported.empty());
  EXPECT_EQ(k.supported.back(), "fallback");  // built into every libsimdjson, runs anywhere
  EXPECT_NE(std::find(k.supported.begin(), k.supported.end(), k.active), k.supported.end());
  auto line = describe_json_kernel(k);
  EXPECT_EQ(line.rfind("JSON: simdjson " + k.active + " kernel (" + k.description + "), ", 0), 0u) << line;
  if (std::getenv("SIMDJSON_FORCE_IMPLEMENTATION") == nullptr) {
    EXPECT_NE(line.find("chosen at run time for this CPU"), std::string::npos) << line;
  }
}

TEST(JsonKernel, AForcedKernelThatCannotRunIsSaidSo) {
  JsonKernel k;
  k.active = "unsupported";
  k.description = "Unsupported CPU (no detected SIMD instructions)";
  k.compiled = "fallback";
  k.supported = {"haswell", "fallback"};
  k.forced = "avx9000";
  k.runnable = false;
  EXPECT_EQ(describe_json_kernel(k),
            "JSON: simdjson unsupported kernel (Unsupported CPU (no detected SIMD instructions)), forced by "
            "SIMDJSON_FORCE_IMPLEMENTATION=avx9000, which cannot run here (an unknown name, or instructions this "
            "CPU lacks); On-Demand walk compiled for fallback; this CPU runs: haswell, fallback");
}

TEST(RestJsonPage, EveryKernelReadsAPageAlike) {
  const std::string body = tricky_page();
  const auto single = tricky_spec({"/id"});
  const auto composite = tricky_spec({"/id", "/n", "/unicode"});
  std::string expected_single, expected_composite;
  expected_single = outcome(body, [&](std::string& b) { return read_tricky(b, single); });
  expected_composite = outcome(body, [&](std::string& b) { return read_tricky(b, composite); });
  ASSERT_EQ(expected_single.rfind("error", 0), std::string::npos) << expected_single;
  EXPECT_NE(expected_single.find("invalid UTF-8"), std::string::npos) << "record 17 keeps its bad byte";
  EXPECT_NE(expected_single.find("next cursor-2 total 40"), std::string::npos);
  for (auto* kernel : runnable_kernels()) {
    under_kernel(kernel, [&] {
      EXPECT_EQ(outcome(body, [&](std::string& b) { return read_tricky(b, single); }), expected_single)
          << kernel->name();
      EXPECT_EQ(outcome(body, [&](std::string& b) { return read_tricky(b, composite); }), expected_composite)
          << kernel->name();
    });
  }
}

TEST(RestJsonPage, EveryKernelRefusesEachTruncationAlike) {
  const std::string full = R"({"data":{"items":[{"id":"a\u00e9","t":"2024-03-01T10:00:00Z","v":[1.5,"x\"y"]},)"
                           R"({"id":"b","t":"2024-03-02T10:00:00Z","v":{"k":null}}]},"next":null})";
  const auto spec = tricky_spec({"/id"});
  std::vector<std::string> expected;
  for (size_t n = 0; n <= full.size(); ++n) {
    expected.push_back(outcome(full.substr(0, n), [&](std::string& b) { return read_tricky(b, spec); }));
  }
  ASSERT_EQ(expected.back().rfind("error", 0), std::string::npos) << expected.back();
  for (auto* kernel : runnable_kernels()) {
    under_kernel(kernel, [&] {
      for (size_t n = 0; n <= full.size(); ++n) {
        auto got = outcome(full.substr(0, n), [&](std::string& b) { return read_tricky(b, spec); });
        EXPECT_EQ(got, expected[n]) << kernel->name() << " at " << n;
        if (n < full.size()) {
          EXPECT_EQ(got.rfind("error", 0), 0u) << kernel->name() << " at " << n;
        }
      }
    });
  }
}

TEST(QboResponse, EveryKernelReadsIdAndCdcPagesAlike) {
  std::string ids = R"({"QueryResponse":{"Invoice":[)";
  std::string cdc = R"({"CDCResponse":[{"QueryResponse":[{"Invoice":[)";
  for (int i = 0; i < 30; ++i) {
    std::string sep = i ? "," : "";
    std::string meta = R"("MetaData":{"CreateTime":"2024-01-01T00:00:00-08:00","LastUpdatedTime":"2024-03-)" +
                       std::to_string(10 + i % 9) + R"(T10:00:00-07:00"})";
    ids += sep + R"({"Id":")" + std::to_string(i) + R"(",)" + meta + "}";
    cdc += sep + R"({"Id":")" + std::to_string(i) + R"(",)" + (i % 3 ? "" : R"("status":"Deleted",)") + meta + "}";
  }
  ids += R"(],"startPosition":1,"maxResults":30},"time":"2024-03-20T10:00:00.000-07:00"})";
  cdc += R"(],"startPosition":1,"maxResults":30}]}],"time":"2024-03-20T10:00:00.000-07:00"})";
  auto read_ids = [](std::string& b) {
    std::string out;
    for (const auto& s : qbo::parse_id_page(b, "Invoice")) {
      out += s.id + "@" + format_utc_micros(s.updated_at) + " ";
    }
    return out;
  };
  auto read_cdc = [](std::string& b) {
    auto answer = qbo::parse_cdc(b, "Invoice");
    std::string out = std::to_string(answer.objects) + " objects, deleted:";
    for (const auto& d : answer.deleted) out += " " + d.id;
    return out;
  };
  const std::string expected_ids = outcome(ids, read_ids), expected_cdc = outcome(cdc, read_cdc);
  ASSERT_EQ(expected_cdc, "30 objects, deleted: 0 3 6 9 12 15 18 21 24 27");
  for (auto* kernel : runnable_kernels()) {
    under_kernel(kernel, [&] {
      EXPECT_EQ(outcome(ids, read_ids), expected_ids) << kernel->name();
      EXPECT_EQ(outcome(cdc, read_cdc), expected_cdc) << kernel->name();
      EXPECT_EQ(outcome(ids.substr(0, ids.size() - 3), read_ids).rfind("error", 0), 0u) << kernel->name();
    });
  }
}

}  // namespace
}  // namespace tributary::connectors
