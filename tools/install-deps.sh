#!/usr/bin/env bash
# Installs the Debian packages asyncdemo needs, and only those missing, so a second run is
# silent and touches nothing. Usage: tools/install-deps.sh [build|lint]...
set -euo pipefail

# python3-jsonschema: tools/validate_json.py, with which the tests check --json output against
# schema/asyncdemo-1.schema.json.
build_packages=(g++ make cmake pkg-config libuv1-dev libcli11-dev doctest-dev libfmt-dev
                nlohmann-json3-dev python3-jsonschema)
# clang-tidy 19 (bookworm main): the first Debian release there with both coroutine checks,
# cppcoreguidelines-avoid-capturing-lambda-coroutines (CP.51) and -reference-coroutine-
# parameters (CP.53); 16 lacks CP.51. clang-format is pinned to the same release so every
# machine formats alike.
lint_packages=(clang-tidy-19 clang-format-19)

wanted=()
for group in "${@:-build}"; do
  case "$group" in
    build) wanted+=("${build_packages[@]}") ;;
    lint) wanted+=("${lint_packages[@]}") ;;
    *) echo "install-deps: unknown group '$group' (build|lint)" >&2; exit 2 ;;
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
