# One CTest test per doctest case, labelled with its TEST_SUITE, so `ctest -L threads` selects
# the cases in TEST_SUITE("threads").
#
# Why not doctest_discover_tests(... ADD_LABELS 1) from doctest 2.4.9: it finds each case's
# suite by running `--test-case=<name>`, where a comma splits the filter, so a case named as
# a sentence with a comma silently loses its label (and escapes -L). It also runs the binary
# once per case. Here the binary runs once per suite instead.
#
# Included: defines asyncdemo_discover_tests(target WORKING_DIRECTORY dir TIMEOUT s [LAUNCHER
# cmd...]); LAUNCHER prefixes every run of the binary. Run with -P after each build of the
# binary: writes the CTest file (-D EXECUTABLE, WORKING_DIRECTORY, TIMEOUT, LAUNCHER, CTEST_FILE).

if(NOT CMAKE_SCRIPT_MODE_FILE)
  function(asyncdemo_discover_tests target)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "WORKING_DIRECTORY;TIMEOUT" "LAUNCHER")
    set(ctest_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake")
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND "${CMAKE_COMMAND}" -D "EXECUTABLE=$<TARGET_FILE:${target}>"
              -D "WORKING_DIRECTORY=${arg_WORKING_DIRECTORY}" -D "TIMEOUT=${arg_TIMEOUT}"
              -D "LAUNCHER=${arg_LAUNCHER}"
              -D "CTEST_FILE=${ctest_file}" -P "${CMAKE_CURRENT_FUNCTION_LIST_FILE}"
      BYPRODUCTS "${ctest_file}"
      VERBATIM)
    # Until the binary is built there is no list: ctest then reports one failing placeholder.
    set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake")
    file(WRITE "${include_file}"
         "if(EXISTS \"${ctest_file}\")\n  include(\"${ctest_file}\")\nelse()\n"
         "  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)\nendif()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
  endfunction()
  return()
endif()

cmake_minimum_required(VERSION 3.25)  # script mode starts with no policies set

# doctest filters split on commas; a literal comma in a name is written "\,".
function(escape_filter out name)
  string(REPLACE "," "\\," name "${name}")
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

# The names doctest lists for these arguments, one per list element.
function(doctest_list out)
  execute_process(COMMAND ${LAUNCHER} "${EXECUTABLE}" ${ARGN}
                  WORKING_DIRECTORY "${WORKING_DIRECTORY}"
                  OUTPUT_VARIABLE output RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${EXECUTABLE} ${ARGN} failed (${result}):\n${output}")
  endif()
  if(output MATCHES ";")
    message(FATAL_ERROR "a doctest case or suite name contains ';', which CTest cannot hold")
  endif()
  # In a CMake list a '[' opens a bracket that no ';' inside splits until its ']' closes it: a
  # case named "... in [0, 1) ..." swallowed every name after it into one test that ran none.
  # So the brackets are held as placeholders while the names are lists (unbracket restores).
  string(REPLACE "[" "<asyncdemo-lb>" output "${output}")
  string(REPLACE "]" "<asyncdemo-rb>" output "${output}")
  string(REPLACE "\n" ";" lines "${output}")
  # the banner, the rules, blank lines
  list(FILTER lines EXCLUDE REGEX "^(<asyncdemo-lb>doctest<asyncdemo-rb> |=+$|$)")
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

function(unbracket out name)
  string(REPLACE "<asyncdemo-lb>" "[" name "${name}")
  string(REPLACE "<asyncdemo-rb>" "]" name "${name}")
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

doctest_list(suites --list-test-suites)
foreach(suite IN LISTS suites)
  unbracket(suite "${suite}")
  escape_filter(filter "${suite}")
  doctest_list(cases "--test-suite=${filter}" --list-test-cases)
  foreach(name IN LISTS cases)
    unbracket(name "${name}")
    string(SHA1 key "${name}")
    list(APPEND "labels_${key}" "${suite}")
  endforeach()
endforeach()

doctest_list(cases --list-test-cases)
list(JOIN LAUNCHER " " launcher)
# Every case doctest counts must become a test: a name the lists above mangled would
# otherwise stand for others that silently never run.
execute_process(COMMAND ${LAUNCHER} "${EXECUTABLE}" --count
                WORKING_DIRECTORY "${WORKING_DIRECTORY}" OUTPUT_VARIABLE counted)
string(REGEX MATCH "passing the current filters: ([0-9]+)" counted "${counted}")
list(LENGTH cases listed)
if(NOT CMAKE_MATCH_1 EQUAL listed)
  message(FATAL_ERROR "doctest counts ${CMAKE_MATCH_1} test cases, but ${listed} names were read")
endif()
set(script "")
foreach(name IN LISTS cases)
  unbracket(name "${name}")
  escape_filter(filter "${name}")
  string(SHA1 key "${name}")
  string(APPEND script
    "add_test([==[${name}]==] ${launcher} \"${EXECUTABLE}\" [==[--test-case=${filter}]==])\n"
    "set_tests_properties([==[${name}]==] PROPERTIES WORKING_DIRECTORY \"${WORKING_DIRECTORY}\""
    " TIMEOUT ${TIMEOUT} LABELS \"${labels_${key}}\")\n")
endforeach()
file(WRITE "${CTEST_FILE}" "${script}")
