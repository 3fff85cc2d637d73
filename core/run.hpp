#pragma once
// run(runtime, main()): asyncio.run.

#include <utility>

#include "core/runtime.hpp"
#include "core/spawn.hpp"
#include "core/task.hpp"

namespace asyncdemo {

/// Runs `main` as the task "main" until it ends; then cancels and finishes
/// every task it left running, waits for thread-pool work still in flight,
/// and closes the loop. Returns main's value or rethrows its error.
/// A Runtime runs once; read its timeline afterwards.
template <class T>
T run(Runtime& runtime, Task<T> main) {
  TaskHandle<T> handle = spawn(std::move(main), "main");
  runtime.run_until_complete(handle.state());
  return handle.take_outcome().take();
}

}  // namespace asyncdemo
