# Installing asyncdemo as a Debian command-line tool installs (issue 18): the binary, its man page
# and its completion scripts for bash, zsh and fish, each where that tool looks for it.
#
#   cmake --install build [--prefix /usr]      (DESTDIR=... in the environment: a staged root)
#   make install [PREFIX=/usr] [DESTDIR=...]
#
# The man page and the scripts are written at build time by the binary just built
# (`asyncdemo man`, `asyncdemo completion SHELL`), from its own command line, so they say what
# it parses. They land in build/share/ as they will be installed. Only in the plain build: a
# sanitizer build is for tests, and a TSan binary may not start without the tests' launcher.
#
# Included after the asyncdemo target is defined.

if(NOT ASYNCDEMO_SANITIZE STREQUAL "")
  return()
endif()

include(GNUInstallDirs)

set(asyncdemo_share ${PROJECT_BINARY_DIR}/share)
set(asyncdemo_man_page ${asyncdemo_share}/man/man1/asyncdemo.1)
set(asyncdemo_bash_completion ${asyncdemo_share}/bash-completion/completions/asyncdemo)
set(asyncdemo_zsh_completion ${asyncdemo_share}/zsh/vendor-completions/_asyncdemo)
set(asyncdemo_fish_completion ${asyncdemo_share}/fish/vendor_completions.d/asyncdemo.fish)

# asyncdemo_generated(OUTPUT ARGS...): OUTPUT is what `asyncdemo ARGS...` prints.
function(asyncdemo_generated output)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -D "OUTPUT=${output}" -P ${PROJECT_SOURCE_DIR}/cmake/CommandOutput.cmake
            -- $<TARGET_FILE:asyncdemo> ${ARGN}
    DEPENDS asyncdemo ${PROJECT_SOURCE_DIR}/cmake/CommandOutput.cmake
    COMMENT "Writing ${output}"
    VERBATIM)
endfunction()

asyncdemo_generated(${asyncdemo_man_page} man)
asyncdemo_generated(${asyncdemo_bash_completion} completion bash)
asyncdemo_generated(${asyncdemo_zsh_completion} completion zsh)
asyncdemo_generated(${asyncdemo_fish_completion} completion fish)
add_custom_target(asyncdemo_docs ALL
  DEPENDS ${asyncdemo_man_page} ${asyncdemo_bash_completion} ${asyncdemo_zsh_completion}
          ${asyncdemo_fish_completion})

install(TARGETS asyncdemo RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${asyncdemo_man_page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${asyncdemo_bash_completion}
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${asyncdemo_zsh_completion} DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${asyncdemo_fish_completion}
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# Installs this build tree into a scratch DESTDIR and checks every file's place, and that the
# installed binary runs (tests/install_test.sh).
add_test(NAME install
         COMMAND ${PROJECT_SOURCE_DIR}/tests/install_test.sh ${PROJECT_BINARY_DIR} ${CMAKE_COMMAND})
set_tests_properties(install PROPERTIES LABELS install TIMEOUT 120)
