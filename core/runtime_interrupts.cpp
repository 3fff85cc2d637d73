// Runtime: SIGINT and SIGTERM during a run (RuntimeOptions::handle_interrupts).
// The first cancels main, as asyncio.run does on Ctrl-C; a second exits at once.
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <utility>

#include "core/detail/loop_guard.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

void Runtime::watch_interrupts() {
  watch_signal(sigint_, SIGINT, previous_sigint_);
  watch_signal(sigterm_, SIGTERM, previous_sigterm_);
  watching_interrupts_ = true;
}

void Runtime::watch_signal(detail::UvHandle<uv_signal_t>& handle, int signal,
                           struct sigaction& previous) {
  if (::sigaction(signal, nullptr, &previous) != 0) {
    check_uv("sigaction", uv_translate_sys_error(errno));
  }
  handle = detail::UvHandle<uv_signal_t>(&loop_, uv_signal_init, "uv_signal_init");
  handle.get()->data = this;
  check_uv("uv_signal_start",
           uv_signal_start(
               handle.get(),
               [](uv_signal_t* watcher, int arrived) {
                 auto* self = static_cast<Runtime*>(watcher->data);
                 detail::guarded(&self->loop_, [self, arrived] { self->on_interrupt(arrived); });
               },
               signal));
  // A watcher must not keep the loop alive: the run ends when its work does.
  uv_unref(reinterpret_cast<uv_handle_t*>(handle.get()));
}

void Runtime::stop_watching_interrupts() noexcept {
  // Closing the last watcher of a signal makes libuv set SIG_DFL at once (uv_close stops
  // it synchronously); what the process had before the run is put back right after.
  sigint_.close();
  sigterm_.close();
  if (std::exchange(watching_interrupts_, false)) {
    // Cannot fail: a valid signal, and an action sigaction itself returned.
    static_cast<void>(::sigaction(SIGINT, &previous_sigint_, nullptr));
    static_cast<void>(::sigaction(SIGTERM, &previous_sigterm_, nullptr));
  }
}

void Runtime::on_interrupt(int signal) {
  if (interrupt_signal_ != 0) {
    // The second signal: the user wants out now, cleanup or not. 128 + the signal, as a
    // shell reports a process the signal killed (130 for SIGINT, 143 for SIGTERM).
    std::_Exit(128 + signal);
  }
  interrupt_signal_ = signal;
  // As asyncio.run does on Ctrl-C: cancel main. When main ends, the tasks it
  // leaves are cancelled once (task_completed), so their cleanup runs undisturbed.
  if (main_ != nullptr && !main_->done) {
    cancel(*main_);
  } else {
    cancel_all_tasks();
  }
  if (on_interrupt_) {
    // TRICKY: pool threads may start or end jobs while this reads the count: it is the
    // moment's figure, for a message ("waiting for 3 threads"), not a promise.
    on_interrupt_(signal, threads_running(), processes_running());
  }
}

}  // namespace asyncdemo
