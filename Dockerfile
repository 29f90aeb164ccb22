# syntax=docker/dockerfile:1
# A small production image: build with dev dependencies, ship only the compiled output and
# production dependencies, run as a non-root user. test/container.test.ts performs these steps
# without Docker (no engine runs in CI), so keep to FROM, WORKDIR, COPY, RUN, ENV, USER, EXPOSE,
# HEALTHCHECK, STOPSIGNAL and an exec-form CMD.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN npm run build

# Production dependencies only; this stage's npm cache stays behind, as only node_modules moves on.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=4000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json ./
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# Exec form: node itself is PID 1 and receives SIGTERM directly (a shell would not pass it on).
CMD ["node", "dist/src/main.js"]
