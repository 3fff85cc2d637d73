# The python3 that the suites written in Python (the parity suite, the sweep) run under, found
# once. ASYNCDEMO_PYTHON: the interpreter itself, not a launcher such as pyenv's shim (a shell
# script), or empty; then ASYNCDEMO_PYTHON_PROBLEM says why. The suites run it with -S (no site
# module), which starts in a tenth of the time: they need only the standard library.
include_guard(GLOBAL)

find_program(ASYNCDEMO_PYTHON3 python3)
set(ASYNCDEMO_PYTHON "")
if(NOT ASYNCDEMO_PYTHON3)
  set(ASYNCDEMO_PYTHON_PROBLEM "python3 not found")
else()
  execute_process(COMMAND ${ASYNCDEMO_PYTHON3} -c "import sys; print(sys.executable)"
                  OUTPUT_VARIABLE python OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE python_result ERROR_VARIABLE python_error)
  if(python_result EQUAL 0)
    set(ASYNCDEMO_PYTHON ${python})
  else()
    set(ASYNCDEMO_PYTHON_PROBLEM "${ASYNCDEMO_PYTHON3} does not run: ${python_error}")
  endif()
endif()

# One test, NAME, labelled NAME, that says it is skipped and why, and counts as skipped.
function(asyncdemo_skipped_test name why)
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -E echo "${name}: skipped, ${why}")
  set_tests_properties(${name} PROPERTIES LABELS ${name} SKIP_REGULAR_EXPRESSION
                                          "${name}: skipped")
endfunction()
