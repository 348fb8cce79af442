#!/usr/bin/env bash
# Builds the agent image without pulling anything: a root filesystem holding the Node
# binary, the shared libraries `ldd` lists, bash and a few coreutils, the agent bundle and
# a non-root user, loaded with `docker import`. Same layout as infra/agent/Dockerfile.
#
#   infra/agent/build-offline-image.sh [tag] [--with-fixtures]
#
# --with-fixtures adds tests/fixtures/agents/*.mjs under /opt/fixtures (the test image).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tag=gridbot-agent:latest
fixtures=false
for arg in "$@"; do
  case "$arg" in
    --with-fixtures) fixtures=true ;;
    *) tag=$arg ;;
  esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs"/{usr/local/bin,bin,usr/bin,app,etc,tmp,workspace,opt/fixtures}
chmod 1777 "$rootfs/tmp"

# shellcheck source=../lib/rootfs.sh
. "$repo/infra/lib/rootfs.sh"

echo "building $tag: copying Node, bash, coreutils and their libraries"
node_bin=$(readlink -f "$(command -v node)")
copy_with_libs "$node_bin" /usr/local/bin/node
copy_tools /bin bash cat ls mkdir rm cp mv touch echo env id sleep head tail wc sort uniq grep sed date timeout
ln -sf bash "$rootfs/bin/sh"
ln -sf /usr/local/bin/node "$rootfs/usr/bin/node"

echo "building $tag: bundling the agent program"
node "$repo/packages/agent/bundle.ts" "$rootfs/app/agent.mjs" >/dev/null
if $fixtures; then cp "$repo"/tests/fixtures/agents/*.mjs "$rootfs/opt/fixtures/"; fi

printf 'root:x:0:0:root:/root:/bin/sh\nagent:x:1000:1000:agent:/workspace:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nagent:x:1000:\n' >"$rootfs/etc/group"
chown 1000:1000 "$rootfs/workspace"

echo "building $tag: importing the image into Docker"
tar -C "$rootfs" -c . | docker import \
  --change 'USER 1000:1000' \
  --change 'WORKDIR /workspace' \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8' \
  --change 'CMD ["node", "/app/agent.mjs"]' \
  --message "gridbot agent image (offline build)" \
  - "$tag" >/dev/null
echo "built $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
