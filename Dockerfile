# The service runs TypeScript directly with tsx (no build step), as locally. Two stages: the
# dependencies are installed in the first, and the image keeps only what runs.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY config ./config
COPY src ./src
USER node
EXPOSE 3000
# /healthz answers in the web role; the worker and scheduler roles serve no HTTP, so there the check
# only asks that the process is there (compose restarts one that exits).
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(process.env.ROLE==='web'||!process.env.ROLE||process.env.ROLE==='all'?1:0))"
# node itself is the main process (`node --import tsx`), so SIGTERM from `docker stop` reaches the
# service, which drains.
CMD ["node", "--import", "tsx", "src/main.ts"]
