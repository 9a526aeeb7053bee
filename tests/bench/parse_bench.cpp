// Parse throughput of the real page readers on a QuickBooks-like page, once per simdjson kernel
// this CPU can run: the runtime choice first, the portable fallback last. Prints figures and
// asserts nothing; scripts/bench-parse.sh builds and runs it (docs/performance.md, "simdjson").
//
//   parse_bench [--invoices N] [--pages N] [--trials N] [--kernel NAME]
//
// Times are the measuring thread's CPU time, best of --trials runs of --pages pages each, so a
// busy machine slows the figures less than wall time would (on a loaded machine, raise --trials).
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "connectors/json_kernel.hpp"
#include "connectors/qbo/qbo_response.hpp"
#include "connectors/rest/json_page.hpp"
#include "mock/qbo_data.hpp"

using namespace tributary;

namespace {

struct Options {
  int invoices = 1000;
  int pages = 5;     // per trial
  int trials = 40;   // per kernel; the best counts
  std::string kernel;  // empty: every kernel this CPU runs
};

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--invoices") o.invoices = std::stoi(next());
    else if (arg == "--pages") o.pages = std::stoi(next());
    else if (arg == "--trials") o.trials = std::stoi(next());
    else if (arg == "--kernel") o.kernel = next();
    else throw std::invalid_argument("unknown argument " + arg + " (--invoices --pages --trials --kernel)");
  }
  if (o.invoices < 1 || o.pages < 1 || o.trials < 1) throw std::invalid_argument("counts must be positive");
  return o;
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// What the mock serves for SELECT * FROM Invoice MAXRESULTS N, and for the id sweep's
// SELECT Id, MetaData.LastUpdatedTime.
struct Pages {
  std::string invoices;
  std::string ids;
  size_t count = 0;
};

Pages make_pages(int invoices) {
  mock::QboMockOptions options;
  options.invoices = invoices;
  mock::Dataset data(options);
  const auto& records = data.records(mock::EntityKind::Invoice);
  Pages p;
  p.count = records.size();
  p.invoices = R"({"QueryResponse":{"Invoice":[)";
  p.ids = p.invoices;
  for (size_t i = 0; i < records.size(); ++i) {
    p.invoices += (i ? "," : "") + records[i].json;
    p.ids += std::string(i ? "," : "") + R"({"Id":")" + std::to_string(records[i].id) +
             R"(","MetaData":{"LastUpdatedTime":"2024-03-01T10:00:00-08:00"}})";
  }
  std::string tail = R"(],"startPosition":1,"maxResults":)" + std::to_string(records.size()) +
                     R"(},"time":"2024-07-01T10:00:00.000-07:00"})";
  p.invoices += tail;
  p.ids += tail;
  return p;
}

connectors::RestStreamSpec invoice_spec() {
  connectors::RestStreamSpec s;  // as config/quickbooks.yaml declares Invoice
  s.records = "/QueryResponse/Invoice";
  s.primary_key = {"/Id"};
  s.cursor = connectors::CursorSpec{"/MetaData/LastUpdatedTime", connectors::TimeFormat::iso8601};
  return s;
}

struct Figures {
  double invoice_seconds = 1e300;  // best of the trials, for `pages` pages
  double id_seconds = 1e300;
};

// One trial: a page of each kind read once untimed (the thread's parser allocates), then timed.
void trial(Pages& pages, const Options& o, Figures& best) {
  static const auto spec = invoice_spec();
  auto read_invoices = [&] {
    auto reading = connectors::read_json_page(pages.invoices, spec, "", "", true);
    if (reading.records.size() != pages.count || !reading.records.back().reject_reason.empty()) {
      throw std::runtime_error("the invoice page was not read whole");
    }
  };
  auto read_ids = [&] {
    if (connectors::qbo::parse_id_page(pages.ids, "Invoice").size() != pages.count) {
      throw std::runtime_error("the id page was not read whole");
    }
  };
  read_invoices();
  read_ids();
  double start = thread_cpu_seconds();
  for (int p = 0; p < o.pages; ++p) read_invoices();
  double middle = thread_cpu_seconds();
  for (int p = 0; p < o.pages; ++p) read_ids();
  double end = thread_cpu_seconds();
  best.invoice_seconds = std::min(best.invoice_seconds, middle - start);
  best.id_seconds = std::min(best.id_seconds, end - middle);
}

// A trial under `kernel`, on a new thread: the readers keep one parser per thread, and a parser
// keeps the kernel that was active when it first allocated.
void trial_with(const simdjson::implementation* kernel, Pages& pages, const Options& o, Figures& best) {
  const simdjson::implementation* saved = simdjson::get_active_implementation();
  simdjson::get_active_implementation() = kernel;
  std::string failure;
  std::thread worker([&] {
    try {
      trial(pages, o, best);
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  worker.join();
  simdjson::get_active_implementation() = saved;
  if (!failure.empty()) throw std::runtime_error(kernel->name() + ": " + failure);
}

}  // namespace

int main(int argc, char** argv) try {
  Options o = parse_args(argc, argv);
  auto kernel = connectors::json_kernel();
  std::printf("%s\n", connectors::describe_json_kernel(kernel).c_str());
  Pages pages = make_pages(o.invoices);
  std::printf("QuickBooks-like pages: %zu invoices, %zu bytes (%zu B each); id page %zu bytes\n", pages.count,
              pages.invoices.size(), pages.invoices.size() / pages.count, pages.ids.size());
  std::printf("MB/s of page text on one core (thread CPU time, best of %d trials of %d pages)\n\n", o.trials, o.pages);
  std::printf("%-10s %-10s %16s %12s %14s\n", "kernel", "walk", "invoice MB/s", "invoices/s", "id page MB/s");

  std::vector<std::string> names = kernel.supported;  // best first; the runtime choice leads
  std::stable_partition(names.begin(), names.end(), [&](const std::string& n) { return n == kernel.active; });
  if (!o.kernel.empty()) names = {o.kernel};
  std::vector<const simdjson::implementation*> kernels;
  for (const auto& name : names) {
    const simdjson::implementation* impl = simdjson::get_available_implementations()[name];
    if (!impl || !impl->supported_by_runtime_system()) throw std::invalid_argument("this CPU cannot run kernel " + name);
    kernels.push_back(impl);
  }
  // Trials take turns between kernels, so a busy spell on the machine does not fall on one only.
  std::vector<Figures> best(kernels.size());
  for (int t = 0; t < o.trials; ++t) {
    for (size_t k = 0; k < kernels.size(); ++k) trial_with(kernels[k], pages, o, best[k]);
  }
  double chosen = 0, fallback = 0;
  for (size_t k = 0; k < kernels.size(); ++k) {
    const std::string& name = names[k];
    double mbps = static_cast<double>(pages.invoices.size()) * o.pages / best[k].invoice_seconds / 1e6;
    double per_s = static_cast<double>(pages.count) * o.pages / best[k].invoice_seconds;
    double id_mbps = static_cast<double>(pages.ids.size()) * o.pages / best[k].id_seconds / 1e6;
    std::printf("%-10s %-10s %16.0f %12.0f %14.0f%s\n", name.c_str(), kernel.compiled.c_str(), mbps, per_s, id_mbps,
                name == kernel.active ? "   <- runtime choice" : "");
    if (name == kernel.active) chosen = mbps;
    if (name == "fallback") fallback = mbps;
  }
  if (chosen > 0 && fallback > 0 && kernel.active != "fallback") {
    std::printf("\ninvoice pages: %s reads %.2fx as fast as fallback\n", kernel.active.c_str(), chosen / fallback);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "parse_bench: %s\n", e.what());
  return 1;
}
