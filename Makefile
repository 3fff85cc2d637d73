# A thin layer over CMake: each target is a few commands you could type yourself.
#   make run    build, then the main demo (blocking vs async sleep, side by side)
#   make test   the suite three times: plain, ThreadSanitizer (threads suite), ASan+UBSan;
#               with memcheck over the scenario runs (valgrind) and a short fuzz run (libFuzzer)
#   make lint   clang-format check + clang-tidy;  make format  rewrites the sources in place
#   make install  build, then install the binary, man page and shell completions under
#               PREFIX (/usr/local), staged under DESTDIR if given: sudo make install PREFIX=/usr

JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
MAKEFLAGS += --no-print-directory
CLANG_FORMAT ?= clang-format-19
CLANG_TIDY ?= clang-tidy-19
RUN_CLANG_TIDY ?= run-clang-tidy-19 -clang-tidy-binary $(CLANG_TIDY)
SOURCE_DIRS := $(wildcard core scenarios cli tests bench fuzz)
SOURCES = $(shell find $(SOURCE_DIRS) -name '*.cpp' -o -name '*.hpp' -o -name '*.h')

# In a variable because a literal comma would split the arguments of $(call).
ASAN_SANITIZE := address,undefined
CTEST := ctest --output-on-failure --no-tests=error -j$(JOBS)
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
TSAN_ENV := TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

# $(call cmake_build,DIR,CMAKE_ARGS): (re)configure DIR quietly, then build it.
define cmake_build
	cmake -S . -B $(1) --log-level=WARNING $(2)
	cmake --build $(1) -j$(JOBS)
endef

# Stages run in the order written: `make -j test` must not interleave three builds on 2 cores.
.NOTPARALLEL:
.PHONY: all deps build run test test-plain test-asan test-tsan test-valgrind test-fuzz lint format \
  bench install clean

all: build

deps:
	@tools/install-deps.sh build

build: deps
	$(call cmake_build,build,)

run: build
	./build/asyncdemo sleep --mode all

# TSan runs before ASan so that the last lines printed are the closing summary of a full suite.
test: test-plain test-valgrind test-fuzz test-tsan test-asan

# The browser test (cmake/BrowserTests.cmake) needs Chromium; without it the test is skipped.
test-plain: build
	@tools/install-deps.sh browser
	$(CTEST) --test-dir build -LE valgrind

# The plain build's asyncdemo under memcheck (cmake/ValgrindTests.cmake): only the binary is
# needed. Configured again once valgrind is installed: the tests exist only where it is found.
test-valgrind: deps
	@tools/install-deps.sh valgrind
	cmake -S . -B build --log-level=WARNING
	cmake --build build -j$(JOBS) --target asyncdemo
	$(CTEST) --test-dir build -L valgrind

# Each libFuzzer target in fuzz/ for ASYNCDEMO_FUZZ_SECONDS (15) from its seed corpus, under
# ASan+UBSan; a failing input is saved in build-fuzz/fuzz/<target>/.
test-fuzz: deps
	@tools/install-deps.sh fuzz
	$(call cmake_build,build-fuzz,-DASYNCDEMO_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-19)
	$(CTEST) --test-dir build-fuzz -L fuzz

test-tsan: deps
	$(call cmake_build,build-tsan,-DASYNCDEMO_SANITIZE=thread)
	$(TSAN_ENV) $(CTEST) --test-dir build-tsan -L "threads|tcp"

test-asan: deps
	$(call cmake_build,build-asan,-DASYNCDEMO_SANITIZE=$(ASAN_SANITIZE))
	$(ASAN_ENV) $(CTEST) --test-dir build-asan

lint: deps
	@tools/install-deps.sh lint
	cmake -S . -B build --log-level=WARNING
	$(CLANG_FORMAT) --dry-run -Werror $(SOURCES)
	$(RUN_CLANG_TIDY) -p build -quiet -j$(JOBS)
	@echo "lint: clean"

format:
	@tools/install-deps.sh lint
	$(CLANG_FORMAT) -i $(SOURCES)

# Release build in build-rel/, then each benchmark workload against its peers (bench/peers/);
# the table also goes to bench/results/latest.md. A smoke test: make bench BENCH_ARGS=--quick
bench: deps
	@tools/install-deps.sh bench
	bench/run $(BENCH_ARGS)

# cmake/Install.cmake says what goes where; DESTDIR reaches cmake --install through the
# environment, as it does for every Debian build. A tree already configured is only brought up
# to date (the binary, the man page and the completions), not configured again: under sudo,
# that would leave files owned by root in build/.
install:
	@[ -f build/CMakeCache.txt ] || $(MAKE) build
	cmake --build build -j$(JOBS) --target asyncdemo asyncdemo_docs
	DESTDIR="$(DESTDIR)" cmake --install build --prefix "$(PREFIX)"

clean:
	rm -rf build build-asan build-tsan build-fuzz
