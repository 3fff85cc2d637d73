#include "core/resolve.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <uv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "core/detail/uv_work_job.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

namespace {

// glibc's EAI_* code as libuv's UV_EAI_* (or, for EAI_SYSTEM, the UV_E* of
// errno), the codes ResolveError and its messages speak in.
int uv_status_of(int gai_code, int system_errno) noexcept {
  switch (gai_code) {
    case 0: return 0;
    case EAI_SYSTEM: return uv_translate_sys_error(system_errno);
    case EAI_ADDRFAMILY: return UV_EAI_ADDRFAMILY;
    case EAI_AGAIN: return UV_EAI_AGAIN;
    case EAI_BADFLAGS: return UV_EAI_BADFLAGS;
    case EAI_FAMILY: return UV_EAI_FAMILY;
    case EAI_MEMORY: return UV_EAI_MEMORY;
    case EAI_NODATA: return UV_EAI_NODATA;
    case EAI_NONAME: return UV_EAI_NONAME;
    case EAI_OVERFLOW: return UV_EAI_OVERFLOW;
    case EAI_SERVICE: return UV_EAI_SERVICE;
    case EAI_SOCKTYPE: return UV_EAI_SOCKTYPE;
    default: return UV_EAI_FAIL;  // EAI_FAIL, and codes libuv has no name for
  }
}

// One lookup: the blocking getaddrinfo on a pool thread, as asyncio's
// loop.getaddrinfo runs it on its default executor. Not uv_getaddrinfo: libuv
// queues its lookups as "slow I/O", which may take at most half the pool (2 of
// 4 threads), and each lookup queued then wakes an idle thread that finds
// nothing it may run and sleeps again. Run as ordinary pool work, a probe of
// 2,000 names makes 4,000 context switches instead of 9,400.
class ResolveJob final : public detail::UvWorkJob {
 public:
  ResolveJob(detail::OffloadAwaiter* awaiter, TaskId task, std::string name)
      // The task's wait shows as a lookup (dns), not as thread work.
      : UvWorkJob(awaiter, task, ThreadEvents::omit), name_(std::move(name)) {}

  std::vector<std::string> take_addresses() {
    switch (status_) {
      case 0: return std::move(addresses_);
      case UV_EAI_NONAME:
      case UV_EAI_NODATA: throw NameNotFound(name_, status_);
      case UV_EAI_AGAIN: throw TemporaryFailure(name_, status_);
      default: throw ResolveError(name_, status_);
    }
  }

 private:
  void execute() noexcept override {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
    addrinfo* result = nullptr;
    const int gai_code = getaddrinfo(name_.c_str(), nullptr, &hints, &result);
    status_ = uv_status_of(gai_code, errno);
    if (gai_code != 0) {
      return;
    }
    try {
      for (const addrinfo* entry = result; entry != nullptr; entry = entry->ai_next) {
        add_address(entry);
      }
    } catch (const std::bad_alloc&) {
      status_ = UV_EAI_MEMORY;
    }
    freeaddrinfo(result);
  }

  void add_address(const addrinfo* entry) {
    std::array<char, UV_IF_NAMESIZE + INET6_ADDRSTRLEN> text{};
    int rc = UV_EAI_FAMILY;
    if (entry->ai_family == AF_INET) {
      rc = uv_ip4_name(reinterpret_cast<const sockaddr_in*>(entry->ai_addr), text.data(),
                       text.size());
    } else if (entry->ai_family == AF_INET6) {
      rc = uv_ip6_name(reinterpret_cast<const sockaddr_in6*>(entry->ai_addr), text.data(),
                       text.size());
    }
    if (rc == 0) {  // other families are not addresses a user can connect to here
      addresses_.emplace_back(text.data());
    }
  }

  std::string name_;
  // Written on the pool thread, read on the loop thread after completion;
  // libuv's queue lock orders the two.
  int status_ = 0;
  std::vector<std::string> addresses_;
};

// RFC 6761 §6.4: names under the reserved TLD "invalid" never exist, and resolver
// libraries should say so without asking anyone. glibc does ask, so offline (no reachable
// DNS server) such a name came back EAI_AGAIN, "try again", where the answer is "not found".
bool is_reserved_invalid(std::string_view name) noexcept {
  if (name.ends_with('.')) {
    name.remove_suffix(1);  // the fully qualified form, "example.invalid."
  }
  constexpr std::string_view kTld = "invalid";
  if (name.size() < kTld.size() ||
      (name.size() > kTld.size() && name[name.size() - kTld.size() - 1] != '.')) {
    return false;
  }
  return std::ranges::equal(name.substr(name.size() - kTld.size()), kTld, [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

}  // namespace

bool answered_without_lookup(std::string_view name) noexcept { return is_reserved_invalid(name); }

ResolveAwaiter::~ResolveAwaiter() {
  if (queued()) {
    runtime().remove_timer(*this);
  }
}

bool ResolveAwaiter::await_suspend(std::coroutine_handle<> awaiting) {
  if (!begin_wait(awaiting, WaitKind::dns)) {
    return false;
  }
  suspended_ns_ = runtime().now();
  if (is_reserved_invalid(name_)) {
    reserved_invalid_ = true;
    wake();  // answered already; the task resumes on the next iteration, as after a lookup
    return true;
  }
  if (const FakeResolver* fake = runtime().fake_resolver()) {
    start_fake(*fake);
    return true;
  }
  lookup_started_hrtime_ = uv_hrtime();
  start(std::make_unique<ResolveJob>(self(), task()->id, name_));
  if (!pending() || timeout_ == Duration::max()) {
    return true;
  }
  if (runtime().virtual_time()) {
    try {
      start_real_deadline();
    } catch (...) {
      // Without its deadline the lookup could hold the task for as long as it stalls: give
      // it up now, and the await raises why (as when libuv refuses the lookup itself).
      deadline_error_ = std::current_exception();
      abandon();
    }
  } else {
    runtime().add_timer(*this, runtime().now() + to_nanos(std::max(timeout_, Duration::zero())));
  }
  return true;
}

// One deadline on the runtime's clock: the answer's or the timeout's, whichever is first. An
// ordinary timer, so the virtual clock jumps to it; a no_answer name without a timeout has
// none, and nothing of it keeps the loop going.
void ResolveAwaiter::start_fake(const FakeResolver& resolver) {
  const FakeAnswer& answer = fake_.emplace(resolver.answer(name_));
  const bool answers = answer.outcome != FakeOutcome::no_answer;
  const Duration latency = std::max(answer.latency, Duration::zero());
  const bool has_timeout = timeout_ != Duration::max();
  const Duration timeout = std::max(timeout_, Duration::zero());
  if (answers && (!has_timeout || latency < timeout)) {
    fake_answer_due_ = true;
    if (latency == Duration::zero()) {
      wake();  // answered at once; the task resumes on the next iteration, as after a lookup
    } else {
      runtime().add_timer(*this, suspended_ns_ + to_nanos(latency));
    }
  } else if (has_timeout) {
    runtime().add_timer(*this, suspended_ns_ + to_nanos(timeout));
  }
}

std::vector<std::string> ResolveAwaiter::take_fake_answer(FakeAnswer& answer) {
  switch (answer.outcome) {
    case FakeOutcome::found: return std::move(answer.addresses);
    case FakeOutcome::not_found: throw NameNotFound(name_, UV_EAI_NONAME);
    case FakeOutcome::temporary_failure: throw TemporaryFailure(name_, UV_EAI_AGAIN);
    case FakeOutcome::no_answer: break;  // resumes only by its timeout or a cancel
  }
  throw ResolveError(name_, UV_EAI_FAIL);
}

void ResolveAwaiter::start_real_deadline() {
  uv_loop_t* loop = runtime().loop();
  real_deadline_ = detail::UvHandle<uv_timer_t>(loop, uv_timer_init, "uv_timer_init");
  uv_timer_t* timer = real_deadline_.get();
  timer->data = this;
  // Whole milliseconds, rounded up, from a fresh loop time: never before the deadline
  // (libuv's cached loop time may be a whole batch of steps old).
  constexpr Nanos kNanosPerMilli = 1'000'000;
  const Nanos timeout_ns = to_nanos(std::max(timeout_, Duration::zero()));
  const auto millis =
      static_cast<std::uint64_t>((timeout_ns + kNanosPerMilli - 1) / kNanosPerMilli);
  uv_update_time(loop);
  check_uv("uv_timer_start", uv_timer_start(
                                 timer,
                                 [](uv_timer_t* fired) {
                                   // on_timer is noexcept: nothing crosses libuv's frames.
                                   static_cast<ResolveAwaiter*>(fired->data)->on_timer();
                                 },
                                 millis, 0));
  // The lookup's own request keeps the loop alive while it matters; the timer alone must
  // never hold a run open.
  uv_unref(reinterpret_cast<uv_handle_t*>(timer));
}

void ResolveAwaiter::measure_latency() noexcept {
  if (lookup_started_hrtime_ != 0) {
    latency_ = Duration(static_cast<Nanos>(uv_hrtime() - lookup_started_hrtime_));
  } else if (suspended_ns_ >= 0) {
    latency_ = Duration(runtime().now() - suspended_ns_);
  }
}

void ResolveAwaiter::on_timer() noexcept {
  if (!pending()) {  // the answer came first (or a cancel) and the task has yet to resume
    return;
  }
  if (fake_answer_due_) {
    wake();
    return;
  }
  timed_out_ = true;
  abandon();
}

std::vector<std::string> ResolveAwaiter::await_resume() {
  measure_latency();
  if (queued()) {
    runtime().remove_timer(*this);
  }
  real_deadline_.close();  // closed, it can no longer fire
  if (take_cancel()) {
    throw Cancelled{};
  }
  if (reserved_invalid_) {
    throw NameNotFound(name_, UV_EAI_NONAME);
  }
  if (timed_out_) {
    throw TimeoutError();
  }
  if (fake_.has_value()) {
    return take_fake_answer(*fake_);
  }
  if (deadline_error_) {
    std::rethrow_exception(deadline_error_);
  }
  rethrow_start_error();
  return static_cast<ResolveJob*>(finished_job())->take_addresses();
}

}  // namespace asyncdemo
