# Helpers of the offline image builds (sourced): a root filesystem assembled from this
# machine's binaries and the shared libraries `ldd` lists for them.

# copy_with_libs <binary> <path in the image>: the binary and every library it loads.
copy_with_libs() {
  local binary=$1 target=$2
  mkdir -p "$rootfs$(dirname "$target")"
  cp -L "$binary" "$rootfs$target"
  ldd "$binary" | grep -o '/[^ ]*' | while read -r lib; do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -Ln "$lib" "$rootfs$lib"
  done
}

# copy_tools <dir in the image> <tool>…: each tool found on PATH, with its libraries.
copy_tools() {
  local dir=$1 tool path
  shift
  for tool in "$@"; do
    path=$(command -v "$tool" || true)
    [ -n "$path" ] && [ -x "$path" ] && copy_with_libs "$(readlink -f "$path")" "$dir/$tool"
  done
  return 0
}
