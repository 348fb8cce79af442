# The GridBot roles (gateway, worker, scheduler, dashboard, cli), run from the production
# bundle (`pnpm build`): no TypeScript stripping and no node_modules at run time, which keeps
# each role's idle memory near 95 MB (see bench/README.md). Where nothing can be pulled,
# infra/build-offline-image.sh builds the same layout from this machine's files.
FROM node:24-slim AS build
WORKDIR /app
RUN npm install --global pnpm@10
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY apps ./apps
COPY packages ./packages
COPY tests/package.json ./tests/package.json
COPY bench/package.json ./bench/package.json
RUN pnpm install --frozen-lockfile --prod=false && node apps/cli/bundle.ts

FROM node:24-slim
# pg_dump and pg_restore of the server's major version (backups refuse an older client),
# from the PostgreSQL project's own repository.
ARG PG_MAJOR=17
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
      https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && . /etc/os-release \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
      > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" \
 && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/apps/cli/dist ./
# DATA_DIR (./data): the embedded database, backups, the spool; writable by the node user.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME /app/data
USER node
# A small young generation, and an old-generation ceiling that keeps V8 from growing the
# heap far past what is live under load (RSS +25-50 % without it; measured in bench/).
ENV NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=256"
ENTRYPOINT ["node", "gridbot.mjs"]
