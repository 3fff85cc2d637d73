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

include(${CMAKE_CURRENT_LIST_DIR}/PythonTests.cmake)
if(NOT ASYNCDEMO_PYTHON)
  asyncdemo_skipped_test(sweep "${ASYNCDEMO_PYTHON_PROBLEM}")
  return()
endif()

add_test(NAME sweep
         COMMAND ${ASYNCDEMO_PYTHON} -S ${PROJECT_SOURCE_DIR}/tests/sweep/sweep.py
                 --asyncdemo $<TARGET_FILE:asyncdemo>)
# TIMEOUT: the sweep takes a few seconds (each run is instant on the virtual clock, and one that
# hangs is stopped after 30 s); a sweep that hangs must fail fast.
set_tests_properties(sweep PROPERTIES LABELS sweep TIMEOUT 120)
