# cmake -D OUTPUT=FILE -P CommandOutput.cmake -- COMMAND [ARGS...]: runs the command and writes
# what it prints on stdout to FILE, or fails with its stderr (a redirection the generators of
# every build tool agree on). FILE is replaced only once the command has succeeded.

cmake_minimum_required(VERSION 3.25)

set(command "")
set(after_dashes FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(after_dashes)
    list(APPEND command "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(after_dashes TRUE)
  endif()
endforeach()
if(NOT OUTPUT OR NOT command)
  message(FATAL_ERROR "usage: cmake -D OUTPUT=FILE -P CommandOutput.cmake -- COMMAND [ARGS...]")
endif()

execute_process(COMMAND ${command} OUTPUT_VARIABLE output ERROR_VARIABLE errors
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${command} failed (${result}):\n${errors}")
endif()
get_filename_component(directory "${OUTPUT}" DIRECTORY)
file(MAKE_DIRECTORY "${directory}")
file(WRITE "${OUTPUT}.tmp" "${output}")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
