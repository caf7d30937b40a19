# Chainscope image: one image, the role is the command (all-in-one by default).
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# A container listens on all its interfaces; Chainscope then refuses to start unless told how to guard them:
#   docker run -e AUTH=tokens ...   (tokens: docker run --rm -v data:/data chainscope tokens create --role admin)
#   docker run -e INSECURE=1 ...    (no authentication: only on a trusted network; see docs/security.md)
ENV NODE_ENV=production DATA_DIR=/data HOST=0.0.0.0
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/ui/dist ./ui/dist
COPY package.json ./
VOLUME /data
EXPOSE 8080 4318 4317 9411
ENTRYPOINT ["node", "dist/bin/chainscope.js"]
CMD ["all-in-one"]
