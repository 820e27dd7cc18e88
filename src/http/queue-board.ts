import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express from 'express';
import type { Route } from './server.js';

/**
 * Bull Board, the queues' dashboard, for operators: what waits, what failed and why, retry a job.
 * Off unless QUEUE_BOARD_USER and QUEUE_BOARD_PASSWORD are set, and behind HTTP basic auth; put
 * it behind HTTPS (the password travels with every request).
 */
export const QUEUE_BOARD_PATH = '/admin/queues';

export interface QueueBoardCredentials {
  user: string;
  password: string;
}

const same = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

function authorized(req: IncomingMessage, credentials: QueueBoardCredentials): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both compared in full, so that the time taken says nothing about which part was wrong.
  const userOk = same(decoded.slice(0, colon), credentials.user);
  const passwordOk = same(decoded.slice(colon + 1), credentials.password);
  return userOk && passwordOk;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any queue, whatever its job types
export function queueBoardRoutes(queues: Queue<any, any, any>[], credentials: QueueBoardCredentials): Route[] {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter: adapter });
  const app = express();
  app.use(QUEUE_BOARD_PATH, adapter.getRouter() as express.Router);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!authorized(req, credentials)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="queues", charset="UTF-8"', 'content-type': 'text/plain' }).end('authorization required');
      return;
    }
    app(req as express.Request, res as express.Response);
  };
  return (['GET', 'POST', 'PUT', 'DELETE'] as const).flatMap((method) => [
    { method, path: QUEUE_BOARD_PATH, handler },
    { method, path: `${QUEUE_BOARD_PATH}/*`, handler },
  ]);
}
