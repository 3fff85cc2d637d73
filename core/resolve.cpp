#include "core/resolve.hpp"

#include <uv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <string_view>

#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

namespace {

class ResolveJob final : public detail::OffloadJob {
 public:
  ResolveJob(detail::OffloadAwaiter* awaiter, TaskId task, std::string name)
      : OffloadJob(awaiter, task), name_(std::move(name)) {}

  void submit(Runtime& runtime) {
    runtime_ = &runtime;
    request_.data = this;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
    check_uv("uv_getaddrinfo", uv_getaddrinfo(runtime.loop(), &request_, on_resolved, name_.c_str(),
                                              nullptr, &hints));
    runtime.begin_real_work();
  }

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
  void try_remove() noexcept override {
    // 0: removed before a thread took it (the callback fires with
    // UV_EAI_CANCELED); UV_EBUSY: the lookup runs on, unobserved. Either way
    // the callback frees the job.
    const int rc = uv_cancel(reinterpret_cast<uv_req_t*>(&request_));
    static_cast<void>(rc);
  }

  static void on_resolved(uv_getaddrinfo_t* request, int status, addrinfo* result) {
    auto* job = static_cast<ResolveJob*>(request->data);
    job->runtime_->end_real_work();
    job->status_ = status;
    for (const addrinfo* entry = result; entry != nullptr; entry = entry->ai_next) {
      job->add_address(entry);
    }
    uv_freeaddrinfo(result);
    job->complete();
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

  uv_getaddrinfo_t request_{};
  Runtime* runtime_ = nullptr;
  std::string name_;
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
