# The application image: the worker and the admin endpoint run from it (see docker-compose.yml).
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so source edits reuse this layer. --ignore-scripts skips the postinstall
# that installs Temporal binaries into a venv: containers talk to the `temporal` service instead.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm cache clean --force

COPY . .

# Run as the image's unprivileged user; it owns only the data folder (AR_DATA_DIR defaults to /app/.data).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node

CMD ["npx", "tsx", "apps/worker/main.ts"]
