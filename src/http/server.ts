import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Exact path, or a prefix ending in `/*`. */
  path: string;
  handler: RequestHandler;
  /**
   * The largest body a POST may declare; a larger one (or one without a Content-Length) is refused
   * before the handler reads or verifies anything, so a signed 5 MiB body costs nothing.
   */
  maxBodyBytes?: number;
}

/** Far above what Slack and Telegram send (their payloads are a few kilobytes), far below harm. */
export const PLATFORM_BODY_LIMIT = 256 * 1024;

function matches(route: Route, method: string | undefined, path: string): boolean {
  if (route.method !== method) return false;
  return route.path.endsWith('/*') ? path.startsWith(route.path.slice(0, -1)) : path === route.path;
}

/**
 * The one HTTP server of the web role: Telegram webhook, Slack endpoints, health and metrics are
 * routes on it. Node's own server is enough; each adapter brings its own request handler.
 */
export function createHttpServer(routes: Route[], log: Logger): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes.find((r) => matches(r, req.method, path));
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    if (route.maxBodyBytes !== undefined) {
      const declared = Number(req.headers['content-length']);
      if (req.headers['content-length'] === undefined || !Number.isFinite(declared)) {
        res.writeHead(411, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"length_required"}');
        return;
      }
      if (declared > route.maxBodyBytes) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"body_too_large"}');
        return;
      }
    }
    Promise.resolve(route.handler(req, res)).catch((error: unknown) => {
      log.error({ err: error, path }, 'request handler failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"internal"}');
    });
  });
}

export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
