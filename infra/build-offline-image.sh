#!/usr/bin/env bash
# Builds the production image (what ../Dockerfile builds) without pulling anything: a root
# filesystem holding this machine's Node binary and pg_dump/pg_restore (the newest
# PostgreSQL client installed here) with the libraries `ldd` lists, the production bundle
# (`pnpm build`), a non-root user and a writable DATA_DIR, loaded with `docker import`.
#
#   infra/build-offline-image.sh [tag]        (default gridbot:latest)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tag=${1:-gridbot:latest}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs"/{usr/local/bin,usr/bin,bin,app/data,etc,tmp}
chmod 1777 "$rootfs/tmp"
# shellcheck source=lib/rootfs.sh
. "$repo/infra/lib/rootfs.sh"

echo "building $tag: bundling GridBot"
node "$repo/apps/cli/bundle.ts" >/dev/null
cp -R "$repo/apps/cli/dist/." "$rootfs/app/"

echo "building $tag: copying Node, the PostgreSQL client and their libraries"
copy_with_libs "$(readlink -f "$(command -v node)")" /usr/local/bin/node
ln -sf /usr/local/bin/node "$rootfs/usr/bin/node"
pg_bin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)
if [ -z "$pg_bin" ]; then
  echo "no PostgreSQL client under /usr/lib/postgresql: install postgresql-client first" >&2
  exit 1
fi
copy_with_libs "$pg_bin/pg_dump" /usr/bin/pg_dump
copy_with_libs "$pg_bin/pg_restore" /usr/bin/pg_restore
copy_tools /bin sh

printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/app:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$rootfs/etc/group"
chown 1000:1000 "$rootfs/app/data"

echo "building $tag: importing the image into Docker"
tar -C "$rootfs" -c . | docker import \
  --change 'USER 1000:1000' \
  --change 'WORKDIR /app' \
  --change 'VOLUME /app/data' \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=256"' \
  --change 'ENTRYPOINT ["node", "gridbot.mjs"]' \
  --message "gridbot image (offline build)" \
  - "$tag" >/dev/null
echo "built $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
