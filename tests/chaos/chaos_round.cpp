// One round: both mocks with the plan's faults, a QuickBooks backfill and a REST backfill
// running at once, SIGKILLs and a PostgreSQL crash when their triggers fire, and every process
// that ends before its run is done started again (`resume --run ID` or the same backfill)
// until both runs are done. Nothing here waits for time: the loop polls process exits and
// committed pages; the only delays are the plan's random kill instants and outage length.
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "tests/chaos/chaos_plan.hpp"
#include "tests/support/process.hpp"

namespace tributary::chaos {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kMaxAttempts = 40;  // per job and round: a run that never finishes is a failure

std::string tail(const std::string& path, size_t bytes = 1500) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  auto text = s.str();
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

// One connector's backfill, started again and again until its run is done.
struct Job {
  std::string name, connector;
  std::vector<std::string> backfill;  // the command, without the global options
  testing::EnvOverrides env;
  pid_t pid = 0;
  Clock::time_point hang_deadline;
  int attempts = 0;
  bool finished = false;
  bool claimed_done = false;  // the last attempt exited 0 or 7
  std::string log;  // the current attempt's stderr
};

class Round {
 public:
  Round(const Options& o, int number, const RoundPlan& plan, const std::filesystem::path& dir)
      : o_(o), n_(number), plan_(plan), dir_(dir), db_(o), qbo_(plan.qbo), rest_(plan.rest) {}
  Round(const Round&) = delete;
  Round& operator=(const Round&) = delete;
  // A round cut short by an exception leaves no process behind.
  ~Round() {
    for (auto& job : jobs_) {
      if (job.pid == 0) continue;
      ::kill(job.pid, SIGKILL);
      ::waitpid(job.pid, nullptr, 0);
    }
  }

  Figures run() {
    db_.reset();
    start_mocks();
    auto first = snapshot(qbo_, rest_);
    jobs_ = {qbo_job(), rest_job()};
    armed_at_ = Clock::now();
    while (!jobs_[0].finished || !jobs_[1].finished) {
      step();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling interval, not a synchronisation
    }
    auto last = snapshot(qbo_, rest_);
    collect_stats(first, last);
    check_round(o_, first, last, plan_.bad_ids, f_);
    qbo_.stop();
    rest_.stop();
    return f_;
  }

 private:
  void start_mocks() {
    qbo_.start();
    rest_.start();
    for (const auto& r : plan_.qbo_faults) qbo_.add_fault(r);
    for (const auto& r : plan_.rest_faults) rest_.add_fault(r);
    qbo_.mutate_during_paging("Invoice", plan_.invoice_mutation.on_query, plan_.invoice_mutation.count);
    if (plan_.customer_mutation.count > 0) {
      qbo_.mutate_during_paging("Customer", plan_.customer_mutation.on_query, plan_.customer_mutation.count);
    }
    for (const auto& t : plan_.rest_touches) rest_.touch_on_request(t.nth, t.ids);
    for (int id : plan_.bad_ids) rest_.set_payload(id, bad_payload(id));
  }

  std::string bad_payload(int id) const {
    for (const auto& r : rest_.records()) {
      if (r.id == id) {
        return R"({"id":)" + std::to_string(id) + R"(,"updated_at":")" + r.updated_at_utc +
               R"(","name":"bad\u0000record"})";
      }
    }
    return "";
  }

  std::vector<std::string> command(const std::string& config) const {
    return {"backfill", "--config", config, "--start", kRangeStart, "--end", kRangeEnd,
            "--chunk-days", "7", "--page-size", "10", "--workers", "2"};
  }

  Job qbo_job() const {
    const auto& m = plan_.qbo;
    Job j;
    j.name = "qbo";
    j.connector = kQboConnector;
    j.backfill = command(o_.qbo_config);
    j.env = {{"QBO_BASE_URL", qbo_.base_url()}, {"QBO_TOKEN_URL", qbo_.token_url()}, {"QBO_REALM_ID", m.realm_id},
             {"QBO_CLIENT_ID", m.client_id}, {"QBO_CLIENT_SECRET", m.client_secret},
             {"QBO_REFRESH_TOKEN", m.initial_refresh_token}, {"QBO_RETRY_BASE_MS", "20"},
             {"QBO_TIMEOUT_MS", std::to_string(kTimeoutMs)}, {"QBO_REQUESTS_PER_MINUTE", "100000"},
             {"TRIBUTARY_DB_URL", o_.db_url}};
    return j;
  }

  Job rest_job() const {
    Job j;
    j.name = "rest";
    j.connector = kRestConnector;
    j.backfill = command(o_.work_dir + "/chaos_rest.yaml");
    j.env = {{"REST_BASE_URL", rest_.base_url()}, {"TRIBUTARY_DB_URL", o_.db_url}};
    return j;
  }

  void step() {
    long long qbo_pages = 0, rest_pages = 0;
    bool db_up = db_.committed_pages(qbo_pages, rest_pages);
    if (db_up) pages_ = {qbo_pages, rest_pages};
    for (auto& job : jobs_) reap(job);
    for (auto& job : jobs_) {
      if (!job.finished && job.pid == 0 && db_up) respawn(job);
    }
    fire_kills();
    fire_restart();
    fire_token_expiry();
    for (auto& job : jobs_) watch_for_hang(job);
  }

  void reap(Job& job) {
    if (job.pid == 0) return;
    int status = 0;
    if (::waitpid(job.pid, &status, WNOHANG) != job.pid) return;
    job.pid = 0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    ++f_.exits[code];
    if (tail(job.log, 1 << 20).find("database connection re-established") != std::string::npos) ++f_.reconnects;
    on_exit(job, code);
  }

  void on_exit(Job& job, int code) {
    switch (code) {
      case 0: case 7:  // done (7: with quarantined records): the run's status must say so
        job.claimed_done = true;
        return;
      case 128 + SIGKILL:  // our kill
      case 4: case 6:      // database lost for too long, windows failed after retries: resume
        return;
      case 5:  // credentials refused (the OAuth rotation window, or a 401 twice in one request):
               // re-authorize as the runbook says, and report it
        if (job.name != "qbo") return fail(job, "exit code 5");
        job.env["QBO_REFRESH_TOKEN"] = qbo_.current_refresh_token();
        ++f_.reauthorizations;
        f_.problems.push_back("round " + std::to_string(n_) + " " + job.name + ": exit 5, started again with the "
                              "mock's current refresh token; the log ends: " + tail(job.log, 400));
        return;
      default:
        fail(job, "exit code " + std::to_string(code));
    }
  }

  void respawn(Job& job) {
    long long run_id = 0;
    std::string status;
    if (!db_.newest_run(job.connector, run_id, status)) return;
    if (status == "done" || status == "done_with_rejects") {
      job.finished = true;
      return;
    }
    if (job.claimed_done) return fail(job, "exited as done, but its run is '" + status + "'");
    if (job.attempts >= kMaxAttempts) return fail(job, "run not done after " + std::to_string(kMaxAttempts) + " attempts");
    std::vector<std::string> args{"--log-level", "info"};
    if (run_id > 0 && plan_.resume_by_run_id) {
      args.insert(args.end(), {"resume", "--run", std::to_string(run_id)});
    } else {
      args.insert(args.end(), job.backfill.begin(), job.backfill.end());
    }
    ++job.attempts;
    ++f_.attempts;
    auto base = (dir_ / (job.name + "-" + std::to_string(job.attempts))).string();
    job.log = base + ".err";
    job.pid = testing::spawn(o_.tributary, args, job.env, base + ".out", job.log);
    job.hang_deadline = Clock::now() + o_.hang_limit;
  }

  void fail(Job& job, const std::string& why) {
    ++f_.failures;
    f_.problems.push_back("round " + std::to_string(n_) + " " + job.name + ": " + why + "; log " + job.log + ":\n" +
                          tail(job.log));
    job.finished = true;
  }

  bool targeted(KillTarget t, size_t i) const { return t == KillTarget::Both || static_cast<size_t>(t) == i; }

  void fire_kills() {
    if (next_kill_ >= plan_.kills.size()) return;
    const auto& k = plan_.kills[next_kill_];
    bool all_finished = true, any_alive = false;
    for (size_t i = 0; i < jobs_.size(); ++i) {
      if (!targeted(k.target, i)) continue;
      all_finished = all_finished && jobs_[i].finished;
      any_alive = any_alive || jobs_[i].pid != 0;
    }
    if (all_finished) return arm_next_kill();  // nothing left to kill: the event lapses
    if (!any_alive) return;                    // between attempts
    long long pages = k.target == KillTarget::Qbo ? pages_[0] : k.target == KillTarget::Rest ? pages_[1] : pages_[0] + pages_[1];
    bool due = k.when.pages > 0 ? pages >= kill_base_pages_ + k.when.pages : Clock::now() >= armed_at_ + k.when.delay;
    if (!due) return;
    for (size_t i = 0; i < jobs_.size(); ++i) {
      if (!targeted(k.target, i) || jobs_[i].pid == 0) continue;
      ::kill(jobs_[i].pid, SIGKILL);
      ++f_.kills;
    }
    arm_next_kill();
  }

  void arm_next_kill() {
    ++next_kill_;
    armed_at_ = Clock::now();
    kill_base_pages_ = pages_[0] + pages_[1];
    if (next_kill_ < plan_.kills.size() && plan_.kills[next_kill_].target != KillTarget::Both) {
      kill_base_pages_ = pages_[static_cast<size_t>(plan_.kills[next_kill_].target)];
    }
  }

  // PostgreSQL crashes under a running process: it must reconnect and go on, or exit (code 4)
  // within the hang limit.
  void fire_restart() {
    if (plan_.pg_restart_after_pages == 0 || restarted_) return;
    if (pages_[0] + pages_[1] < plan_.pg_restart_after_pages || (jobs_[0].pid == 0 && jobs_[1].pid == 0)) return;
    restarted_ = true;
    db_.crash_restart(plan_.pg_down);
    ++f_.pg_restarts;
    for (auto& job : jobs_) job.hang_deadline = Clock::now() + o_.hang_limit;
  }

  void fire_token_expiry() {
    if (next_expiry_ >= plan_.expire_tokens_after_pages.size()) return;
    if (pages_[0] < plan_.expire_tokens_after_pages[next_expiry_]) return;
    qbo_.expire_access_tokens();
    ++f_.tokens_expired;
    ++next_expiry_;
  }

  void watch_for_hang(Job& job) {
    if (job.pid == 0 || Clock::now() < job.hang_deadline) return;
    ::kill(job.pid, SIGKILL);
    ::waitpid(job.pid, nullptr, 0);
    job.pid = 0;
    fail(job, "still running " + std::to_string(o_.hang_limit.count()) + " s after its start or the last PostgreSQL restart");
  }

  void collect_stats(const Snapshot& first, const Snapshot& last) {
    auto q = qbo_.stats();
    auto r = rest_.stats();
    f_.qbo_faults = q.faults_served;
    f_.throttled = q.throttled;
    f_.rest_faults = r.faults_served;
    f_.bad_records = static_cast<long long>(plan_.bad_ids.size());
    auto changed = [](const auto& a, const auto& b) {
      long long n = 0;
      for (size_t i = 0; i < a.size(); ++i) n += a[i].json != b[i].json;
      return n;
    };
    f_.records_touched = changed(first.customers, last.customers) + changed(first.invoices, last.invoices) +
                         changed(first.items, last.items) + changed(first.rest, last.rest) -
                         static_cast<long long>(plan_.bad_ids.size());  // set before the first snapshot
  }

  const Options& o_;
  int n_;
  const RoundPlan& plan_;
  std::filesystem::path dir_;
  Database db_;
  mock::QboMock qbo_;
  mock::RestMock rest_;
  std::vector<Job> jobs_;
  std::array<long long, 2> pages_{0, 0};
  size_t next_kill_ = 0, next_expiry_ = 0;
  Clock::time_point armed_at_;
  long long kill_base_pages_ = 0;
  bool restarted_ = false;
  Figures f_;
};

}  // namespace

Figures run_round(const Options& o, int round, std::uint64_t seed) {
  auto plan = plan_round(round, seed);
  std::filesystem::path dir = std::filesystem::path(o.work_dir) / ("round-" + std::to_string(round));
  std::filesystem::create_directories(dir);
  std::cerr << "round " << round << " seed " << seed << ": " << describe(plan) << std::endl;
  auto started = std::chrono::steady_clock::now();
  Figures f = Round(o, round, plan, dir).run();
  f.rounds = 1;
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << "round " << round << ": " << f.kills << " kill(s), " << f.pg_restarts << " PostgreSQL restart(s), "
            << f.attempts << " process(es), faults " << f.qbo_faults << " QuickBooks + " << f.rest_faults << " REST + "
            << f.tokens_expired << " token expiries, " << f.records_touched << " records touched while paged, "
            << f.records_checked << " records checked, " << f.mismatches << " mismatches, " << f.failures
            << " failures (" << static_cast<int>(secs) << " s)" << std::endl;
  if (f.mismatches == 0 && f.failures == 0) std::filesystem::remove_all(dir);  // keep a failing round's logs
  else std::cerr << "round " << round << ": logs kept in " << dir.string() << std::endl;
  return f;
}

}  // namespace tributary::chaos
