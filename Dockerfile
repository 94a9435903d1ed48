# syntax=docker/dockerfile:1
#
# Funding-decision and ratification service of ESZL — container image.
#
#   docker build -t eszl-decisions .
#   docker run --rm -p 127.0.0.1:3000:3000 \
#     -e DATABASE_URL=postgres://eszl:secret@db:5432/eszl \
#     -e ADMIN_API_KEY=<at least 32 characters> eszl-decisions
#
# Database migrations run automatically when the server starts. API keys:
#   docker exec <container> node dist/cli/api-key.js create --role admin --name "Your name"

# Node.js 24 LTS, pinned to the minor release CI tests (.ci/run); bump both deliberately, and keep
# "engines" in package.json in line.
ARG NODE_IMAGE=node:24.21-bookworm-slim

# ---------------------------------------------------------------------------
# build: full dependency tree (incl. TypeScript) and compile src/ -> dist/
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The service alone: the typed client (an npm workspace) is not part of the image.
RUN npm ci --workspaces=false --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---------------------------------------------------------------------------
# prod-deps: production dependencies only
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund \
    && npm cache clean --force

# ---------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

LABEL org.opencontainers.image.title="eszl-decisions" \
      org.opencontainers.image.description="Funding-decision and ratification service of ESZL (Stichting Economische Samenwerking Zuid-Limburg)" \
      org.opencontainers.image.vendor="Stichting Economische Samenwerking Zuid-Limburg" \
      org.opencontainers.image.licenses="EUPL-1.2"

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000

WORKDIR /app

# Application files stay owned by root (read-only for the runtime user). Only the data
# directory (DATA_DIR default "./data", used by the embedded database when DATABASE_URL is
# not set) is writable by the unprivileged "node" user.
RUN install -d -o node -g node -m 0750 /app/data

COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations

USER node

EXPOSE 3000

# Node.js has a global fetch, so no curl/wget is needed in the slim image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

CMD ["node", "dist/server.js"]
