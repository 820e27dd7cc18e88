# The service runs TypeScript directly with tsx (no build step), as locally. node itself is the main
# process (`node --import tsx`), so SIGTERM from `docker stop` reaches the service, which drains.
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# npm install, not npm ci: see the README (the lock lacks other platforms' optional packages).
RUN npm install --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY config ./config
COPY src ./src
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "src/main.ts"]
