#include "core/detail/offload.hpp"

#include <utility>

namespace asyncdemo::detail {

void OffloadJob::complete() noexcept {
  if (OffloadAwaiter* awaiter = std::exchange(awaiter_, nullptr)) {
    awaiter->job_done(this);
  } else {
    delete this;
  }
}

OffloadAwaiter::~OffloadAwaiter() {
  if (OffloadJob* job = std::exchange(in_flight_, nullptr)) {
    job->withdraw();
  }
}

bool OffloadAwaiter::cancel() noexcept {
  if (OffloadJob* job = std::exchange(in_flight_, nullptr)) {
    job->withdraw();
  }
  wake();
  return false;
}

void OffloadAwaiter::job_done(OffloadJob* job) noexcept {
  in_flight_ = nullptr;
  finished_.reset(job);
  wake();
}

}  // namespace asyncdemo::detail
