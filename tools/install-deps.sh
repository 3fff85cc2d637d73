#!/usr/bin/env bash
# Installs the Debian packages asyncdemo needs, and only those missing, so a second run is
# silent and touches nothing. Usage: tools/install-deps.sh [build|lint|fuzz|valgrind|bench|browser]...
set -euo pipefail

# libtomlplusplus-dev: the plan files of `asyncdemo run` (scenarios/plan_parse.cpp).
# python3-jsonschema: tools/validate_json.py, with which the tests check --json output against
# schema/asyncdemo-1.schema.json.
build_packages=(g++ make cmake pkg-config libuv1-dev libcli11-dev doctest-dev libfmt-dev
                nlohmann-json3-dev libtomlplusplus-dev python3-jsonschema)
# clang-tidy 19 (bookworm main): the first Debian release there with both coroutine checks,
# cppcoreguidelines-avoid-capturing-lambda-coroutines (CP.51) and -reference-coroutine-
# parameters (CP.53); 16 lacks CP.51. clang-format is pinned to the same release so every
# machine formats alike.
lint_packages=(clang-tidy-19 clang-format-19)
# make test-fuzz: clang 19 and its libFuzzer/sanitizer runtimes, the LLVM release lint already
# brings (clang-tidy-19 pulls in clang-19), rather than a second toolchain such as clang-14.
fuzz_packages=(clang-19 libclang-rt-19-dev)
# make test-valgrind: memcheck over the scenario runs.
valgrind_packages=(valgrind)
# make bench (bench/run): time (GNU time: the peak RSS of each run), iproute2 (ip netns) and
# dnsmasq-base for the probe's private DNS server; dnsmasq-base, not dnsmasq, whose install
# would start a machine-wide DNS daemon. Node.js only where no node is on PATH.
bench_packages=(python3 time iproute2 dnsmasq-base)
# make test-plain: headless Chromium opens the --html pages (tests/browser/check_html.py), with a
# monospace font installed so that its screenshot shows the page as readers see it.
browser_packages=(chromium fonts-dejavu-core)

wanted=()
for group in "${@:-build}"; do
  case "$group" in
    build) wanted+=("${build_packages[@]}") ;;
    lint) wanted+=("${lint_packages[@]}") ;;
    fuzz) wanted+=("${fuzz_packages[@]}") ;;
    valgrind) wanted+=("${valgrind_packages[@]}") ;;
    browser) wanted+=("${browser_packages[@]}") ;;
    bench)
      wanted+=("${bench_packages[@]}")
      command -v node >/dev/null || wanted+=(nodejs)
      ;;
    *) echo "install-deps: unknown group '$group' (build|lint|fuzz|valgrind|bench|browser)" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0

sudo=()
((EUID == 0)) || sudo=(sudo)
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
