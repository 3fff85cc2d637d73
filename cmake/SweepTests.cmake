# The sweep (issue 14): tests/sweep/sweep.py runs a few hundred seeded random option combinations
# of every scenario as `asyncdemo SCENARIO OPTIONS --virtual-time --check --json` and checks that
# each passes its own --check and that every number its narration quotes is one its recorded
# tasks and events give. One CTest test, sweep, label sweep; ASYNCDEMO_SWEEP_SEED (printed on a
# failure) replays a sweep, ASYNCDEMO_SWEEP_RUNS sets its size.
#
# Only in the plain build, as the parity suite: the sweep checks what a run says, which a
# sanitizer does not change, and 300 runs under ASan would cost minutes. Without python3 the
# test says so and is skipped.
#
# Included after the asyncdemo target is defined: the sweep runs this build tree's binary.

if(NOT ASYNCDEMO_SANITIZE STREQUAL "")
  return()
endif()

find_program(ASYNCDEMO_PYTHON3 python3)
if(ASYNCDEMO_PYTHON3)
  # The interpreter itself, not a launcher such as pyenv's shim; -S (no site module) starts
  # faster, and the sweep needs only the standard library.
  execute_process(COMMAND ${ASYNCDEMO_PYTHON3} -c "import sys; print(sys.executable)"
                  OUTPUT_VARIABLE sweep_python OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE sweep_result ERROR_QUIET)
endif()
if(NOT ASYNCDEMO_PYTHON3 OR NOT sweep_result EQUAL 0)
  if(ASYNCDEMO_PYTHON3)
    set(sweep_why "${ASYNCDEMO_PYTHON3} does not run")
  else()
    set(sweep_why "python3 not found")
  endif()
  add_test(NAME sweep COMMAND ${CMAKE_COMMAND} -E echo "sweep: skipped, ${sweep_why}")
  set_tests_properties(sweep PROPERTIES LABELS sweep SKIP_REGULAR_EXPRESSION "sweep: skipped")
  return()
endif()

add_test(NAME sweep
         COMMAND ${sweep_python} -S ${PROJECT_SOURCE_DIR}/tests/sweep/sweep.py
                 --asyncdemo $<TARGET_FILE:asyncdemo>)
# TIMEOUT: the sweep takes a few seconds (each run is instant on the virtual clock, and one that
# hangs is stopped after 30 s); a sweep that hangs must fail fast.
set_tests_properties(sweep PROPERTIES LABELS sweep TIMEOUT 120)
