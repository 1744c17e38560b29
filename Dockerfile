# One image per app, from the repository root (the compose file builds all three):
#   docker build --build-arg APP=giftdeliveries --build-arg PORT=7002 -t giftdeliveries .
#
# The stages follow Turborepo's Docker guide: prune the monorepo to the app and the packages it
# uses, install from the pruned manifests (a layer that stays cached until a manifest or the
# lockfile changes), build, keep only production dependencies, and copy that into a small runtime
# image that runs as the unprivileged `node` user. Node's major version matches .nvmrc.
FROM node:24-bookworm-slim AS base
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /app

# 1. Prune: only the workspaces APP depends on, manifests (out/json) apart from sources (out/full).
FROM base AS prune
ARG APP
RUN test -n "$APP" || { echo 'build with --build-arg APP=<app folder name> --build-arg PORT=<port>' >&2; exit 1; }
RUN npm install --global turbo@2.11.9 --no-audit --no-fund --loglevel=error
COPY . .
RUN turbo prune "$APP" --docker

# 2. Install from the pruned manifests and lockfile, build, then drop development dependencies.
FROM base AS build
ARG APP
COPY --from=prune /app/out/json/ ./
RUN npm ci --no-audit --no-fund
COPY --from=prune /app/out/full/ ./
RUN npx turbo run build --filter="$APP"
RUN npm prune --omit=dev --no-audit --no-fund
# What the runtime needs: manifests, production node_modules (workspace links included) and the
# compiled dist of every pruned workspace; no sources, tests or tsconfig.
RUN mkdir runtime \
  && cp -a package.json node_modules runtime/ \
  && for ws in apps/* packages/*; do \
       mkdir -p "runtime/$ws" && cp -a "$ws/package.json" "runtime/$ws/" \
       && for part in dist node_modules; do \
            if [ -e "$ws/$part" ]; then cp -a "$ws/$part" "runtime/$ws/"; fi; \
          done; \
     done

# 3. Runtime: production dependencies and dist only, as the non-root `node` user.
FROM base AS runtime
ARG APP
# The app's folder under apps/, when it differs from its package name (console: live-console).
ARG APP_DIR=${APP}
ARG PORT
ENV NODE_ENV=production
ENV PORT=${PORT}
ENV DATA_DIR=/data
# Where an app keeps its data (a volume in compose), created so that `node` can write to it.
RUN mkdir -p /data && chown node:node /data
COPY --from=build /app/runtime/ ./
WORKDIR /app/apps/${APP_DIR}
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node's compile cache (NODE_COMPILE_CACHE) is not enabled: measured on Node 24, it gave no start-up
# gain beyond the noise, warm or cold (docs/performance.md, "Start-up").
CMD ["node", "dist/index.js"]
