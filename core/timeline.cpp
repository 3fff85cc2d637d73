#include "core/timeline.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>

namespace asyncdemo {

namespace {

constexpr std::uint32_t kMaxNote = (1U << 24U) - 1;  // the width of Event::note
constexpr std::size_t kMaxDefaultNameBytes = 16;     // "task-", a 32-bit id, and a '\0'

}  // namespace

bool ends_task(EventKind kind) noexcept {
  return kind == EventKind::done || kind == EventKind::failed || kind == EventKind::cancelled;
}

bool ends_step(const Event& e) noexcept {
  return (e.kind == EventKind::suspended && e.wait != WaitKind::blocked) || ends_task(e.kind);
}

std::string_view to_string(WaitKind kind) {
  switch (kind) {
    case WaitKind::none: return "none";
    case WaitKind::sleep: return "sleep";
    case WaitKind::permit: return "permit";
    case WaitKind::lock: return "lock";
    case WaitKind::child: return "child";
    case WaitKind::thread: return "thread";
    case WaitKind::process: return "process";
    case WaitKind::dns: return "dns";
    case WaitKind::queue_put: return "put";
    case WaitKind::queue_get: return "get";
    case WaitKind::blocked: return "blocked";
    case WaitKind::accept: return "accept";
    case WaitKind::connect: return "connect";
    case WaitKind::read: return "read";
    case WaitKind::write: return "write";
  }
  return "?";
}

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::created: return "created";
    case EventKind::started: return "start";
    case EventKind::suspended: return "await";
    case EventKind::resumed: return "resume";
    case EventKind::done: return "done";
    case EventKind::failed: return "failed";
    case EventKind::cancelled: return "cancelled";
    case EventKind::note: return "note";
    case EventKind::thread_started: return "thread-start";
    case EventKind::thread_finished: return "thread-end";
    case EventKind::thread_dropped: return "thread-drop";
  }
  return "?";
}

std::string_view to_string(SpanState state) {
  switch (state) {
    case SpanState::ready: return "ready";
    case SpanState::running: return "running";
    case SpanState::sleeping: return "sleeping";
    case SpanState::awaiting: return "awaiting";
    case SpanState::waiting: return "waiting";
    case SpanState::blocked: return "blocked";
    case SpanState::thread: return "thread";
    case SpanState::thread_abandoned: return "thread_abandoned";
  }
  return "?";
}

std::string_view event_name(const Event& event) {
  if (event.wait == WaitKind::process) {
    switch (event.kind) {
      case EventKind::thread_started: return "process-start";
      case EventKind::thread_finished: return "process-end";
      case EventKind::thread_dropped: return "process-drop";
      default: break;
    }
  }
  return to_string(event.kind);
}

std::string_view span_name(const Span& span) {
  if (span.wait == WaitKind::process) {
    switch (span.state) {
      case SpanState::thread: return "process";
      case SpanState::thread_abandoned: return "process_abandoned";
      default: break;
    }
  }
  return to_string(span.state);
}

std::string_view to_string(TaskOutcome outcome) {
  switch (outcome) {
    case TaskOutcome::running: return "running";
    case TaskOutcome::ok: return "ok";
    case TaskOutcome::failed: return "failed";
    case TaskOutcome::cancelled: return "cancelled";
  }
  return "?";
}

TaskId Timeline::add_task(std::string_view name, TaskId parent) {
  const auto id = static_cast<TaskId>(tasks_.size());
  if (names_.size() + name.size() > UINT32_MAX) {
    throw std::length_error("the timeline's task names exceed 4 GiB");
  }
  // An unnamed task stores nothing: its "task-<id>" is made when first asked
  // for (default_name), after the run, when a million of them cost nothing.
  tasks_.push_back(TaskRecord{static_cast<std::uint32_t>(names_.size()), parent});
  names_ += name;
  return id;
}

TaskInfo Timeline::task(TaskId id) const {
  const std::size_t begin = tasks_[id].name_begin;
  const std::size_t end = id + 1 < tasks_.size() ? tasks_[id + 1].name_begin : names_.size();
  if (begin == end) {  // names are never empty: an empty stretch is an unnamed task
    return TaskInfo{default_name(id), tasks_[id].parent};
  }
  return TaskInfo{std::string_view(names_).substr(begin, end - begin), tasks_[id].parent};
}

std::string_view Timeline::default_name(TaskId id) const {
  // One fixed-size slot per task, written on first use ('\0' until then).
  // Growing the slots moves them: views stay valid until a task is added.
  if (default_names_.size() < tasks_.size() * kMaxDefaultNameBytes) {
    default_names_.resize(tasks_.size() * kMaxDefaultNameBytes, '\0');
  }
  char* slot = default_names_.data() + std::size_t{id} * kMaxDefaultNameBytes;
  constexpr std::string_view kPrefix = "task-";
  if (slot[0] == '\0') {
    std::ranges::copy(kPrefix, slot);
    std::to_chars(slot + kPrefix.size(), slot + kMaxDefaultNameBytes, id);
  }
  return {slot};  // "task-" and at most 10 digits: the slot's last byte stays '\0'
}

std::size_t TaskList::size() const noexcept { return timeline_.task_count(); }

TaskInfo TaskList::operator[](std::size_t id) const {
  return timeline_.task(static_cast<TaskId>(id));
}

void Timeline::record(Nanos t_ns, TaskId task, EventKind kind, WaitKind wait, std::uint32_t note) {
  if (!events_.empty() && t_ns < events_.back().t_ns) {
    in_order_ = false;
  }
  // A million tasks write 80 MB of events: the page worker faults them in
  // ahead of the writes, which measured 35 ms less wall time at gather --n
  // 1000000 than a page fault every 256 events, and less again than the loop
  // thread asking for each stretch itself.
  events_ahead_.before_writing(events_, events_.size());
  events_.push_back(Event{t_ns, task, kind, wait, note & kMaxNote});
  if (sink_) {
    sink_(events_.back(), *this);
  }
}

std::uint32_t Timeline::add_note(std::string text) {
  if (notes_.size() >= kMaxNote) {
    return 0;  // Event::note is 24 bits; the event itself is still recorded
  }
  notes_.push_back(std::move(text));
  return static_cast<std::uint32_t>(notes_.size());
}

void Timeline::reserve_tasks(std::size_t count) {
  tasks_.reserve(tasks_.size() + count);
  constexpr std::size_t kEventsPerTask = 5;  // created, started, suspended, resumed, done
  events_.reserve(events_.size() + count * kEventsPerTask);
}

void Timeline::finish() {
  if (!in_order_) {
    std::ranges::stable_sort(events_, {}, &Event::t_ns);
    in_order_ = true;
  }
}

std::string_view Timeline::note(std::uint32_t index) const {
  if (index == 0 || index > notes_.size()) {
    return {};
  }
  return notes_[index - 1];
}

namespace {

SpanState state_while_suspended(WaitKind wait) {
  switch (wait) {
    case WaitKind::sleep: return SpanState::sleeping;
    case WaitKind::permit:
    case WaitKind::lock:
    case WaitKind::queue_put:
    case WaitKind::queue_get:
    case WaitKind::thread:   // queued until a pool thread picks it up
    case WaitKind::process:  // queued until the process pool has room for its child
      return SpanState::waiting;
    case WaitKind::blocked: return SpanState::blocked;
    case WaitKind::none:
    case WaitKind::child:
    case WaitKind::dns:
    case WaitKind::accept:  // the network: awaiting something outside the loop, as dns
    case WaitKind::connect:
    case WaitKind::read:
    case WaitKind::write: return SpanState::awaiting;
  }
  return SpanState::awaiting;
}

// Turns one task's events into spans. The task's own state and its work off
// the loop (on a pool thread or in a child process) are tracked apart: a
// cancelled task's work runs on ("the pretense of cancellation"), so the two
// may overlap.
class SpanBuilder {
 public:
  explicit SpanBuilder(std::vector<Span>& out) : out_(out) {}

  void apply(const Event& e) {
    switch (e.kind) {
      case EventKind::started:
      case EventKind::resumed: on_step(e.t_ns); break;
      case EventKind::suspended: open(state_while_suspended(e.wait), e.wait, e.t_ns); break;
      case EventKind::done:
      case EventKind::failed:
      case EventKind::cancelled: close(e.t_ns); break;
      case EventKind::thread_started: on_thread_started(work_kind(e.wait), e.t_ns); break;
      case EventKind::thread_finished: on_thread_finished(e.t_ns); break;
      case EventKind::created: open(SpanState::ready, WaitKind::none, e.t_ns); break;
      case EventKind::note:
      case EventKind::thread_dropped: break;
    }
  }

  void end(Nanos end_ns) {
    close(end_ns);
    if (thread_running_ && thread_detached_) {
      emit(SpanState::thread_abandoned, thread_wait_, thread_since_, end_ns);
    }
    std::ranges::stable_sort(out_, {}, &Span::from_ns);
  }

 private:
  void on_step(Nanos t) {
    if (thread_running_ && !thread_detached_) {
      // Resumed while its work still runs on a worker: the await was cancelled.
      thread_detached_ = true;
      thread_since_ = t;
    }
    open(SpanState::running, WaitKind::none, t);
  }

  // Work off the loop is a child process's when its events say so, else a pool thread's
  // (a record made before the kinds were told apart carries no wait at all).
  static WaitKind work_kind(WaitKind wait) {
    return wait == WaitKind::process ? WaitKind::process : WaitKind::thread;
  }

  void on_thread_started(WaitKind work, Nanos t) {
    thread_running_ = true;
    thread_since_ = t;
    thread_wait_ = work;
    if (open_ && state_ == SpanState::waiting && wait_ == work) {
      open(SpanState::thread, work, t);
    } else {
      thread_detached_ = true;  // started only after its awaiter had moved on
    }
  }

  void on_thread_finished(Nanos t) {
    if (!thread_running_) {
      return;
    }
    if (thread_detached_) {
      emit(SpanState::thread_abandoned, thread_wait_, thread_since_, t);
    } else if (open_ && state_ == SpanState::thread) {
      open(SpanState::awaiting, thread_wait_, t);  // result waits for the loop
    }
    thread_running_ = false;
    thread_detached_ = false;
  }

  void open(SpanState state, WaitKind wait, Nanos t) {
    close(t);
    open_ = true;
    state_ = state;
    wait_ = wait;
    since_ = t;
  }

  void close(Nanos t) {
    if (open_) {
      emit(state_, wait_, since_, t);
      open_ = false;
    }
  }

  // An empty span (a step that took no time on the virtual clock, a task
  // started the moment it was created) shows nothing and is left out.
  void emit(SpanState state, WaitKind wait, Nanos from, Nanos to) {
    if (to > from) {
      out_.push_back(Span{state, wait, from, to});
    }
  }

  std::vector<Span>& out_;
  bool open_ = false;
  SpanState state_ = SpanState::running;
  WaitKind wait_ = WaitKind::none;
  Nanos since_ = 0;
  bool thread_running_ = false;
  bool thread_detached_ = false;
  WaitKind thread_wait_ = WaitKind::thread;  // where the work runs: thread or process
  Nanos thread_since_ = 0;
};

}  // namespace

std::vector<Span> Timeline::spans(TaskId task, Nanos end_ns) const {
  std::vector<Span> out;
  SpanBuilder builder(out);
  for (const Event& e : events_) {
    if (e.task == task) {
      builder.apply(e);
    }
  }
  builder.end(end_ns);
  return out;
}

std::vector<Timeline::TaskSummary> Timeline::summarize() const {
  std::vector<TaskSummary> out(tasks_.size());
  for (const Event& e : events_) {
    TaskSummary& s = out[e.task];
    switch (e.kind) {
      case EventKind::created: s.created_ns = e.t_ns; break;
      case EventKind::started: s.start_ns = e.t_ns; break;
      case EventKind::done: s.outcome = TaskOutcome::ok; break;
      case EventKind::failed: s.outcome = TaskOutcome::failed; break;
      case EventKind::cancelled: s.outcome = TaskOutcome::cancelled; break;
      default: break;
    }
    if (ends_task(e.kind)) {
      s.end_ns = e.t_ns;
    }
  }
  return out;
}

namespace {

// Both loop figures, folded over the events of tasks with ids in [first, last).
//
// The loop thread runs one step at a time, and a step's events come in
// order (a blocking call inside it records suspended(blocked) and resumed,
// and the step goes on), so one open step is all the fold keeps: not a start
// time per task. At a million tasks that is 8 MB less to make and to walk
// for every summary (the fold took 18 ms of the run's end before).
class LoopFold {
 public:
  // is_root: one bit per task, true for the tasks with no parent.
  LoopFold(std::vector<bool> is_root, TaskId first, TaskId last)
      : first_(first), last_(last), root_(std::move(is_root)), started_(root_.size(), false) {}

  void add(const Event& e) {
    if (e.task < first_ || e.task >= last_) {
      return;
    }
    if (e.kind == EventKind::started || e.kind == EventKind::resumed) {
      if (open_task_ != e.task) {  // a resume after a blocking call continues the same step
        open_task_ = e.task;
        open_since_ = e.t_ns;
      }
    } else if (e.task == open_task_ && ends_step(e)) {
      if (e.t_ns - open_since_ > figures_.max_loop_stall) {
        figures_.max_loop_stall = e.t_ns - open_since_;
        figures_.max_loop_stall_task = e.task;
      }
      open_task_ = kNoTask;
    }
    if (e.kind == EventKind::started) {
      if (!root_[e.task]) {  // the main task does the gathering; it is not in flight
        started_[e.task] = true;
        figures_.max_in_flight = std::max(figures_.max_in_flight, ++in_flight_);
      }
    } else if (ends_task(e.kind) && started_[e.task]) {
      --in_flight_;
    }
  }

  [[nodiscard]] Timeline::LoopFigures figures() const { return figures_; }

 private:
  TaskId first_;
  TaskId last_;
  std::vector<bool> root_;
  std::vector<bool> started_;
  static constexpr TaskId kNoTask = UINT32_MAX;
  TaskId open_task_ = kNoTask;  // whose step is running, if any
  Nanos open_since_ = 0;
  std::size_t in_flight_ = 0;
  Timeline::LoopFigures figures_;
};

}  // namespace

Timeline::LoopFigures Timeline::fold_loop_figures(TaskId first, TaskId last) const {
  std::vector<bool> is_root(tasks_.size());
  for (std::size_t id = 0; id < tasks_.size(); ++id) {
    is_root[id] = tasks_[id].parent == kNoParent;
  }
  LoopFold fold(std::move(is_root), first, last);
  for (const Event& e : events_) {
    fold.add(e);
  }
  return fold.figures();
}

Timeline::LoopFigures Timeline::loop_figures() const { return fold_loop_figures(0, kNoParent); }

Nanos Timeline::max_loop_stall(TaskId first, TaskId last) const {
  return fold_loop_figures(first, last).max_loop_stall;
}

std::size_t Timeline::max_in_flight() const { return loop_figures().max_in_flight; }

}  // namespace asyncdemo
