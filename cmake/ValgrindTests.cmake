# Memcheck over the scenario runs (issue 5): every scenario, small and mostly on the virtual
# clock, plus real-clock runs (real libuv timers, thread pool and uv_cancel, which the virtual
# clock simulates), --json, --trace, a probe of .invalid names (answered offline) and usage
# errors. Label valgrind: `make test-valgrind` (ctest -L valgrind); the plain run skips them
# (-LE valgrind), and sanitizer builds do not register them (valgrind cannot run ASan/TSan).
#
# Included after the asyncdemo target is defined; registers nothing when valgrind is missing.

find_program(ASYNCDEMO_VALGRIND valgrind)
if(NOT ASYNCDEMO_VALGRIND OR NOT ASYNCDEMO_SANITIZE STREQUAL "")
  return()
endif()

# --error-exitcode=99, not 1, which is asyncdemo's own "a claim failed". Leaks that count are
# memory nothing points to (definite, indirect); "still reachable" at exit is glibc's and
# libuv's one-time state, not a leak.
set(asyncdemo_valgrind_command
  ${ASYNCDEMO_VALGRIND} --quiet --error-exitcode=99 --leak-check=full
  --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
  --num-callers=40 $<TARGET_FILE:asyncdemo>)

# asyncdemo_valgrind_test(NAME ARGS... [USAGE_ERROR regex]): runs `asyncdemo ARGS...` under
# memcheck; passes when both exit 0. With USAGE_ERROR the run is expected to exit 2, which
# CTest cannot ask for directly: it passes when stderr matches the regex and memcheck reported
# no error (with --quiet it prints only errors, each line starting ==pid==).
function(asyncdemo_valgrind_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "USAGE_ERROR" "")
  add_test(NAME valgrind_${name} COMMAND ${asyncdemo_valgrind_command} ${arg_UNPARSED_ARGUMENTS}
           WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(valgrind_${name} PROPERTIES LABELS valgrind TIMEOUT 180)
  if(arg_USAGE_ERROR)
    set_tests_properties(valgrind_${name} PROPERTIES
      PASS_REGULAR_EXPRESSION "${arg_USAGE_ERROR}" FAIL_REGULAR_EXPRESSION "==[0-9]+==")
  endif()
endfunction()

set(virtual --virtual-time --check)
asyncdemo_valgrind_test(list list)
asyncdemo_valgrind_test(sleep sleep --n 3 --delay 1s --mode all ${virtual})
asyncdemo_valgrind_test(sleep_real sleep --n 2 --delay 20ms --mode all)
asyncdemo_valgrind_test(gather gather --delays 2s,1s,3s --fail 2 ${virtual})
asyncdemo_valgrind_test(gather_collect_json
  gather --n 4 --fail 3 --on-error collect ${virtual} --json)
asyncdemo_valgrind_test(gather_cancel_siblings
  gather --delays 2s,1s,3s --fail 1 --on-error cancel-siblings ${virtual})
asyncdemo_valgrind_test(gather_sequential gather --n 3 --sequential ${virtual})
asyncdemo_valgrind_test(gather_real gather --delays 30ms,10ms,20ms --fail 2)
asyncdemo_valgrind_test(timeout timeout --work 10s --timeout 2s --cleanup 100ms ${virtual})
asyncdemo_valgrind_test(timeout_real timeout --n 2 --delays 10ms,200ms --timeout 50ms
  --cleanup 10ms)
asyncdemo_valgrind_test(cancel cancel --n 3 --after 1.5s ${virtual})
asyncdemo_valgrind_test(cancel_offload cancel --n 3 --after 1.5s --offload ${virtual} --json)
asyncdemo_valgrind_test(cancel_offload_real
  cancel --n 2 --after 50ms --beat 10ms --cleanup 10ms --offload --work 200ms)
asyncdemo_valgrind_test(semaphore semaphore --n 10 --limit 3 --delay 1s ${virtual})
asyncdemo_valgrind_test(lock lock --n 3 --increments 3 ${virtual})
asyncdemo_valgrind_test(lock_locked lock --n 3 --increments 3 --lock ${virtual})
asyncdemo_valgrind_test(lock_deadlock lock --deadlock ${virtual})
asyncdemo_valgrind_test(lock_deadlock_timeout lock --deadlock --timeout 1s ${virtual})
asyncdemo_valgrind_test(queue queue ${virtual})
asyncdemo_valgrind_test(queue_unbounded queue --maxsize 0 ${virtual})
asyncdemo_valgrind_test(lag lag --jobs 2 ${virtual})
asyncdemo_valgrind_test(lag_gil lag --offload thread --jobs 2 --gil ${virtual} --json)
# Real CPU work: on the loop, on pool threads under the GIL, and in child processes (asyncdemo
# started again in its worker mode, which memcheck follows with --trace-children=no: only the
# parent's libuv process and pipe handles are checked here).
asyncdemo_valgrind_test(lag_real lag --jobs 2 --cost 20ms --tick 10ms --gil)
asyncdemo_valgrind_test(retry retry --error-rate 0.2 ${virtual} --json)
asyncdemo_valgrind_test(retry_real
  retry --n 3 --capacity 1 --window 1s --max-attempts 3 --base 20ms --jitter full)
# Real sockets on 127.0.0.1: the server, its handlers and its clients, on both clocks.
asyncdemo_valgrind_test(server server ${virtual})
asyncdemo_valgrind_test(server_blocking server --blocking ${virtual} --json)
asyncdemo_valgrind_test(server_real server --clients 2 --requests 2 --delay 20ms)
asyncdemo_valgrind_test(semaphore_trace
  semaphore --n 4 --limit 2 --delay 1s ${virtual} -q --trace valgrind-semaphore.trace.json)
asyncdemo_valgrind_test(probe_invalid
  probe localhost nosuchname.invalid other.invalid --limit 2 --json)
# Plans: every step kind, a deadlock broken by cancelling every task, and the real clock.
set(plans ${PROJECT_SOURCE_DIR}/examples)
set(plan_seeds ${PROJECT_SOURCE_DIR}/fuzz/corpus/plan)
asyncdemo_valgrind_test(run_flags2 run ${plans}/flags2.toml ${virtual} --json)
asyncdemo_valgrind_test(run_taskgroup run ${plans}/taskgroup.toml ${virtual} --check)
asyncdemo_valgrind_test(run_sleep_real run ${plans}/sleep.toml)
asyncdemo_valgrind_test(run_steps run ${plan_seeds}/steps.toml ${virtual})
asyncdemo_valgrind_test(run_deadlock run ${plan_seeds}/deadlock.toml ${virtual})
asyncdemo_valgrind_test(usage_error_plan run ${plan_seeds}/unknown-key USAGE_ERROR "titel")
asyncdemo_valgrind_test(usage_error_duration gather --delay 2x USAGE_ERROR "--delay")
asyncdemo_valgrind_test(usage_error_unknown_scenario nosuchscenario USAGE_ERROR "nosuchscenario")
