# --html in a real browser (issue 18): tests/browser/check_html.py has headless Chromium open the
# pages of `cancel` and `gather --n 50` and checks that each page's script ran to its end with no
# error and drew a lane per task shown, and that a screenshot of the cancel page is a drawn page
# (build/browser/cancel.png, to look at). One CTest test, browser_html, label browser.
#
# Only in the plain build, as the pictures: a sanitizer does not change what is drawn. Without
# chromium (tools/install-deps.sh browser) the test exits 77 and counts as skipped.
#
# Included after the asyncdemo target is defined: the check runs this build tree's binary.

if(NOT ASYNCDEMO_SANITIZE STREQUAL "")
  return()
endif()

include(${CMAKE_CURRENT_LIST_DIR}/PythonTests.cmake)
if(NOT ASYNCDEMO_PYTHON)
  asyncdemo_skipped_test(browser_html "${ASYNCDEMO_PYTHON_PROBLEM}")
  return()
endif()

add_test(NAME browser_html
         COMMAND ${ASYNCDEMO_PYTHON} -S ${PROJECT_SOURCE_DIR}/tests/browser/check_html.py
                 --asyncdemo $<TARGET_FILE:asyncdemo>
                 --screenshot ${PROJECT_BINARY_DIR}/browser/cancel.png)
# TIMEOUT: three Chromium starts, each slow on a loaded two-core machine; a hang must still end.
set_tests_properties(browser_html PROPERTIES LABELS browser TIMEOUT 600 SKIP_RETURN_CODE 77)
