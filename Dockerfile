# The GridBot roles (gateway, worker, cli). Node runs the TypeScript sources directly.
FROM node:24-slim
WORKDIR /app
RUN npm install --global pnpm@10
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY apps ./apps
COPY packages ./packages
COPY tests/package.json ./tests/package.json
COPY bench/package.json ./bench/package.json
RUN pnpm install --frozen-lockfile --prod=false
USER node
ENTRYPOINT ["node", "apps/cli/src/main.ts"]
