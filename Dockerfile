# The transitql API image: `npm start` runs the server bundled by esbuild (dist/server.js, built here; prestart
# rebuilds only if a source changed) with node, as the unprivileged `node` user; the command-line tools
# (`npm run transit`, `token`, `processor`, ...) run from the same build (dist/cli/, dist/processor/).
FROM node:20-slim

ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app

COPY package.json package-lock.json ./
# npm ci's postinstall applies these (patch-package): a postgres.js fix the API relies on.
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY schema ./schema
COPY migrations ./migrations
COPY src ./src
COPY scripts ./scripts
RUN npm run build

# /credentials: where `transit setup --out` leaves the AppRole credentials for the API (compose volume).
RUN mkdir -p /credentials /app/.data && chown node:node /credentials /app/.data /app/dist
USER node

EXPOSE 4000
CMD ["npm", "start"]
