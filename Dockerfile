# The gateway as a container: built with dev dependencies, run with production ones only.
#   docker build -t isc-graphql-gateway .
#   docker run -p 4000:4000 -e SAIL_BASE_URL=… -e SAIL_CLIENT_ID=… -e SAIL_CLIENT_SECRET=… -e SAIL_API_KEYS=… -e SAIL_METRICS_TOKEN=… isc-graphql-gateway
# test/production/service.test.ts runs the runtime stage's commands outside Docker.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts scripts
COPY schema schema
COPY src src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
# PORT, not SAIL_PORT: a platform that sets PORT for the container it starts (Cloud Run, Heroku,
# Render…) replaces it, while SAIL_PORT, when given, still wins over both.
ENV NODE_ENV=production SAIL_HOST=0.0.0.0 PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY schema schema
COPY --from=build /app/dist dist
USER node
EXPOSE 4000
# Slim images have no curl: Node's own fetch asks /readyz (at most one ISC call per interval, however often it is polled),
# on the port the gateway listens on (SAIL_PORT, else PORT).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SAIL_PORT || process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form, no shell: node itself is PID 1 and receives SIGTERM directly, so the gateway drains and exits.
CMD ["node", "--heap-growing-percent=100", "--no-allocation-site-pretenuring", "dist/src/index.js"]
