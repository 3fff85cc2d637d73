# The pictures (issue 18): tests/pictures/check_svg.py runs a dozen scenarios with
# `--virtual-time --json --svg FILE`, parses each picture as XML and holds it to the same run's
# JSON record: a lane per task the Gantt shows, bars within the run, end marks where tasks
# failed or were cancelled. One CTest test, pictures_svg, label pictures.
#
# Only in the plain build, as the parity suite: a sanitizer does not change what is drawn.
# Without python3 the test says so and is skipped.
#
# Included after the asyncdemo target is defined: the check runs this build tree's binary.

if(NOT ASYNCDEMO_SANITIZE STREQUAL "")
  return()
endif()

include(${CMAKE_CURRENT_LIST_DIR}/PythonTests.cmake)
if(NOT ASYNCDEMO_PYTHON)
  asyncdemo_skipped_test(pictures_svg "${ASYNCDEMO_PYTHON_PROBLEM}")
  return()
endif()

add_test(NAME pictures_svg
         COMMAND ${ASYNCDEMO_PYTHON} -S ${PROJECT_SOURCE_DIR}/tests/pictures/check_svg.py
                 --asyncdemo $<TARGET_FILE:asyncdemo>)
# TIMEOUT: a dozen instant runs on the virtual clock; one that hangs must fail fast.
set_tests_properties(pictures_svg PROPERTIES LABELS pictures TIMEOUT 120)
