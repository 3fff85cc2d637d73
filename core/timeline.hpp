#pragma once
// The timeline recorder: every state change of every task, with its time.
// Everything asyncdemo prints (log, Gantt, summary, JSON, trace) is derived
// from this record, so the runtime itself writes it, not the scenarios.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/detail/page_work.hpp"

namespace asyncdemo {

using TaskId = std::uint32_t;

/// What a suspended task is waiting for.
enum class WaitKind : std::uint8_t {
  none,
  sleep,      // an async sleep (a timer)
  permit,     // a semaphore permit
  lock,       // a lock
  child,      // another task (join, gather, wait_for, as_completed)
  thread,     // work handed to the thread pool
  process,    // work handed to a child process (to_process: the process pool)
  dns,        // a getaddrinfo request
  queue_put,  // room in a full queue (Queue.put)
  queue_get,  // an item in an empty queue (Queue.get)
  blocked,    // not a suspension: the loop thread itself is stuck (blocking sleep)
  accept,     // a connection to a listening socket (TcpListener::accept)
  connect,    // a TCP connection being made (connect)
  read,       // bytes from a TCP peer (TcpStream::read_line)
  write,      // a TCP write handed to the kernel (TcpStream::write: write + drain)
};

/// What happened to a task. The thread_* kinds mark its work off the loop: on a pool
/// thread, or in a child process when the event's wait is WaitKind::process (event_name
/// spells those "process-start", "process-end", "process-drop").
enum class EventKind : std::uint8_t {
  created,          // create_task: scheduled, not yet running
  started,          // first step began
  suspended,        // awaits something (see WaitKind)
  resumed,          // a later step began
  done,             // returned normally
  failed,           // raised an error
  cancelled,        // ended by cancellation
  note,             // a scenario's remark, attached to the task
  thread_started,   // its thread-pool work began on a worker
  thread_finished,  // its thread-pool work ended (possibly after the task itself)
  thread_dropped,   // its queued thread-pool work was removed before it started
};

/// One recorded moment. Kept to 16 bytes: a million tasks record five
/// million of these, and the timeline is most of a large run's memory.
struct Event {
  Nanos t_ns;
  TaskId task;
  EventKind kind : 4;
  WaitKind wait : 4;
  std::uint32_t note : 24;  // 1-based index into Timeline's notes; 0 = none
};
static_assert(sizeof(Event) == 16, "Event must stay 16 bytes");

/// A task as the timeline knows it. `name` views the timeline's storage: it
/// stays valid until the next task is added.
struct TaskInfo {
  std::string_view name;
  TaskId parent;  // kNoParent for the root
};

/// The state a task is in over a stretch of time, derived from its events. thread and
/// thread_abandoned are a child process's work when the span's wait is WaitKind::process.
enum class SpanState : std::uint8_t {
  ready,             // created, waiting for the loop to run its first step
  running,           // a step executing on the loop thread
  sleeping,          // awaiting a timer
  awaiting,          // awaiting another task or a DNS answer
  waiting,           // queued: for a permit, a lock, or a free pool thread
  blocked,           // holding the loop thread in a blocking call
  thread,            // its work executing on a pool thread
  thread_abandoned,  // its work still executing after the task was cancelled
};

struct Span {
  SpanState state;
  WaitKind wait;
  Nanos from_ns;
  Nanos to_ns;
};

/// How a task ended; `running` if it had not ended when the record was taken.
enum class TaskOutcome : std::uint8_t { running, ok, failed, cancelled };

/// Whether `e` closes a step of its task on the loop thread: an await (not a
/// blocking call, which the loop sits through) or the task's end.
[[nodiscard]] bool ends_step(const Event& e) noexcept;

std::string_view to_string(WaitKind kind);
std::string_view to_string(EventKind kind);
/// Whether an event of this kind is a task's end (done, failed or cancelled): its last.
[[nodiscard]] bool ends_task(EventKind kind) noexcept;
std::string_view to_string(SpanState state);
/// The event's kind as the renderers spell it: to_string(kind), except that work done in a
/// child process (wait WaitKind::process) is "process-start", "process-end", "process-drop".
[[nodiscard]] std::string_view event_name(const Event& event);
/// The span's state as the renderers spell it: to_string(state), except that a child
/// process's work (wait WaitKind::process) is "process" and "process_abandoned".
[[nodiscard]] std::string_view span_name(const Span& span);
std::string_view to_string(TaskOutcome outcome);

inline constexpr TaskId kNoParent = UINT32_MAX;

class Timeline;

/// The tasks of a timeline, indexed by TaskId.
class TaskList {
 public:
  explicit TaskList(const Timeline& timeline) : timeline_(timeline) {}
  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  [[nodiscard]] TaskInfo operator[](std::size_t id) const;

 private:
  const Timeline& timeline_;
};

/// Called for every event as it is recorded (the live event log).
using EventSink = std::function<void(const Event&, const Timeline&)>;

/// Append-only record of a run. Single-threaded: only the loop thread writes.
class Timeline {
 public:
  /// Registers a task; an empty name becomes "task-<id>".
  TaskId add_task(std::string_view name, TaskId parent);
  void record(Nanos t_ns, TaskId task, EventKind kind, WaitKind wait = WaitKind::none,
              std::uint32_t note = 0);
  /// Stores a remark and returns its index for Event::note (0, no text, once
  /// the 16,777,215 indexes an event can hold are used up).
  std::uint32_t add_note(std::string text);
  /// Sees every event as it is recorded; empty to stop. Called on the loop
  /// thread, inside the run: it must be quick and must not touch the runtime.
  void set_sink(EventSink sink) { sink_ = std::move(sink); }
  /// Pre-sizes storage when the number of tasks is known up front.
  void reserve_tasks(std::size_t count);

  /// Events recorded late (a worker's start time, learnt only when its work
  /// completes) are put back into time order here; called when a run ends.
  void finish();

  [[nodiscard]] const std::vector<Event>& events() const { return events_; }
  [[nodiscard]] TaskList tasks() const { return TaskList(*this); }
  [[nodiscard]] std::size_t task_count() const noexcept { return tasks_.size(); }
  [[nodiscard]] TaskInfo task(TaskId id) const;
  /// task(id).parent without the name, which an unnamed task makes on first
  /// read: counting a million tasks' children must not make a million names.
  [[nodiscard]] TaskId parent(TaskId id) const { return tasks_[id].parent; }
  [[nodiscard]] std::string_view note(std::uint32_t index) const;

  /// The spans of one task, in time order. `end_ns` closes a span left open.
  [[nodiscard]] std::vector<Span> spans(TaskId task, Nanos end_ns) const;
  /// Per-task outcome and first/last times, in one pass over the events.
  struct TaskSummary {
    Nanos created_ns = 0;
    Nanos start_ns = -1;  // -1: never started
    Nanos end_ns = -1;    // -1: never ended
    TaskOutcome outcome = TaskOutcome::running;
  };
  [[nodiscard]] std::vector<TaskSummary> summarize() const;
  /// The longest time the loop thread was held by one step of one task: the
  /// worst stall any other task or I/O callback had to sit through. Only
  /// steps of tasks with ids in [first, last) count.
  [[nodiscard]] Nanos max_loop_stall(TaskId first = 0, TaskId last = kNoParent) const;
  /// The most tasks alive (started, not ended) at the same moment.
  [[nodiscard]] std::size_t max_in_flight() const;
  /// max_in_flight() and max_loop_stall() over all tasks, in one pass over
  /// the events (the summary of every run wants both).
  struct LoopFigures {
    std::size_t max_in_flight = 0;
    Nanos max_loop_stall = 0;
    TaskId max_loop_stall_task = kNoParent;  // whose step that was; kNoParent if none held it
  };
  [[nodiscard]] LoopFigures loop_figures() const;
  /// The same over the tasks with ids in [first, last) only.
  [[nodiscard]] LoopFigures loop_figures(TaskId first, TaskId last) const {
    return fold_loop_figures(first, last);
  }

 private:
  [[nodiscard]] LoopFigures fold_loop_figures(TaskId first, TaskId last) const;
  [[nodiscard]] std::string_view default_name(TaskId id) const;

  // A task's name is the stretch of names_ from its name_begin to the next
  // task's: one string for all names instead of one std::string (32 bytes,
  // plus a heap block past 15 characters) per task.
  struct TaskRecord {
    std::uint32_t name_begin;
    TaskId parent;
  };

  std::vector<Event> events_;
  detail::AheadOfWrites events_ahead_;
  std::vector<TaskRecord> tasks_;
  std::string names_;
  mutable std::string default_names_;  // "task-<id>" slots, made on demand
  std::vector<std::string> notes_;
  EventSink sink_;
  bool in_order_ = true;
};

}  // namespace asyncdemo
