#include "core/resolve.hpp"

#include <netdb.h>
#include <uv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <memory>
#include <new>
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
bool is_reserved_invalid(std::string_view name) {
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

ResolveAwaiter::~ResolveAwaiter() {
  if (queued()) {
    runtime().remove_timer(*this);
  }
}

bool ResolveAwaiter::await_suspend(std::coroutine_handle<> awaiting) {
  if (!begin_wait(awaiting, WaitKind::dns)) {
    return false;
  }
  if (is_reserved_invalid(name_)) {
    reserved_invalid_ = true;
    wake();  // answered already; the task resumes on the next iteration, as after a lookup
    return true;
  }
  start(std::make_unique<ResolveJob>(self(), task()->id, name_));
  if (pending() && timeout_ != Duration::max()) {
    runtime().add_timer(*this, runtime().now() + to_nanos(std::max(timeout_, Duration::zero())));
  }
  return true;
}

void ResolveAwaiter::on_timer() noexcept {
  if (pending()) {  // not if the answer came first and the task has yet to resume
    timed_out_ = true;
    abandon();
  }
}

std::vector<std::string> ResolveAwaiter::await_resume() {
  if (queued()) {
    runtime().remove_timer(*this);
  }
  if (take_cancel()) {
    throw Cancelled{};
  }
  if (reserved_invalid_) {
    throw NameNotFound(name_, UV_EAI_NONAME);
  }
  if (timed_out_) {
    throw TimeoutError();
  }
  rethrow_start_error();
  return static_cast<ResolveJob*>(finished_job())->take_addresses();
}

}  // namespace asyncdemo
