#!/usr/bin/env bash
# `cmake --install` of a built tree into a scratch DESTDIR with --prefix /usr: the binary, the
# man page and the three completion scripts are where Debian's tools look for them, each is the
# one the build wrote (build/share/ holds them as they are installed), and the installed binary
# runs. Usage: install_test.sh BUILD_DIR [CMAKE]
set -euo pipefail

build_dir=$1
cmake=${2:-cmake}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

fail() {
  echo "install test: $*" >&2
  exit 1
}

output=$(DESTDIR=$stage "$cmake" --install "$build_dir" --prefix /usr 2>&1) ||
  fail "cmake --install failed:"$'\n'"$output"

root=$stage/usr
[[ -x $root/bin/asyncdemo ]] || fail "no executable usr/bin/asyncdemo"
for path in share/man/man1/asyncdemo.1 \
  share/bash-completion/completions/asyncdemo \
  share/zsh/vendor-completions/_asyncdemo \
  share/fish/vendor_completions.d/asyncdemo.fish; do
  [[ -s $root/$path ]] || fail "no usr/$path"
  cmp -s "$root/$path" "$build_dir/$path" || fail "usr/$path is not the one the build wrote"
done
# Nothing outside the prefix: DESTDIR holds usr/ alone.
[[ $(ls -A "$stage") == usr ]] || fail "installed outside the prefix: $(ls -A "$stage")"

version=$("$root/bin/asyncdemo" --version) || fail "the installed asyncdemo --version failed"
[[ $version == "asyncdemo "* ]] || fail "the installed asyncdemo --version printed: $version"
"$root/bin/asyncdemo" list | grep -q '^sleep ' || fail "the installed asyncdemo list has no sleep"
# The installed bash completion is what the installed binary writes.
cmp -s <("$root/bin/asyncdemo" completion bash) \
  "$root/share/bash-completion/completions/asyncdemo" ||
  fail "the installed bash completion differs from 'asyncdemo completion bash'"
echo "install test: binary, man page and completions installed under DESTDIR/usr"
