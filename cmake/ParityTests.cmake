# Parity with asyncio (issue 14): each case of tests/parity/compare.py runs one scenario as
# `asyncdemo SCENARIO OPTIONS --json` and as the asyncio program it mirrors
# (tests/parity/SCENARIO.py), on the real clock, and compares the outcome of each task, the order
# in which they ended, and their times. One CTest test per case, parity_<case>, label parity.
#
# Only in the plain build: under ASan or TSan asyncdemo runs slower than real-clock timings allow
# (and `make test-asan` runs every label). Without python3 one test, parity, says so and is
# skipped; a python3 older than 3.11 skips each case (exit 77).
#
# Included after the asyncdemo target is defined: each case runs this build tree's binary.

if(NOT ASYNCDEMO_SANITIZE STREQUAL "")
  return()
endif()

set(parity_compare ${PROJECT_SOURCE_DIR}/tests/parity/compare.py)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${parity_compare})  # its cases

include(${CMAKE_CURRENT_LIST_DIR}/PythonTests.cmake)
if(NOT ASYNCDEMO_PYTHON)
  asyncdemo_skipped_test(parity "${ASYNCDEMO_PYTHON_PROBLEM}")
  return()
endif()
execute_process(COMMAND ${ASYNCDEMO_PYTHON} -S ${parity_compare} --list
                OUTPUT_VARIABLE parity_cases RESULT_VARIABLE parity_result
                ERROR_VARIABLE parity_error)
if(NOT parity_result EQUAL 0)
  asyncdemo_skipped_test(parity "${ASYNCDEMO_PYTHON} cannot list the cases: ${parity_error}")
  return()
endif()

string(REGEX REPLACE "\n$" "" parity_cases "${parity_cases}")
string(REPLACE "\n" ";" parity_cases "${parity_cases}")
# The cases whose times rest on CPU work run alone (RUN_SERIAL): beside another test on a 2-core
# machine, CPU work takes longer on each side by another amount, and the two no longer agree.
execute_process(COMMAND ${ASYNCDEMO_PYTHON} -S ${parity_compare} --list-cpu-bound
                OUTPUT_VARIABLE parity_cpu_bound RESULT_VARIABLE parity_result)
string(REGEX REPLACE "\n$" "" parity_cpu_bound "${parity_cpu_bound}")
string(REPLACE "\n" ";" parity_cpu_bound "${parity_cpu_bound}")
foreach(case IN LISTS parity_cases)
  add_test(NAME parity_${case}
           COMMAND ${ASYNCDEMO_PYTHON} -S ${parity_compare} --asyncdemo $<TARGET_FILE:asyncdemo>
                   ${case})
  # TIMEOUT: a case takes about a second; a hung run must fail fast.
  set_tests_properties(parity_${case} PROPERTIES LABELS parity TIMEOUT 60 SKIP_RETURN_CODE 77)
  if(case IN_LIST parity_cpu_bound)
    set_tests_properties(parity_${case} PROPERTIES RUN_SERIAL TRUE)
  endif()
endforeach()
