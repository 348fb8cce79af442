# The GridBot roles (gateway, worker, scheduler, dashboard, cli), run from the production
# bundle (`pnpm build`): no TypeScript stripping and no node_modules at run time, which keeps
# each role's idle memory near 95 MB (see bench/README.md).
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
WORKDIR /app
COPY --from=build /app/apps/cli/dist ./
USER node
# A small young generation, and an old-generation ceiling that keeps V8 from growing the
# heap far past what is live under load (RSS +25-50 % without it; measured in bench/).
ENV NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=256"
ENTRYPOINT ["node", "gridbot.mjs"]
