import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createSlackApp, slackRoutes, type SlackApp, type SlackAppOptions } from '../../src/bots/slack/app.js';
import { createHttpServer, listen } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { FakeSlack, type FakeUser } from './fake-slack.js';
import { SlackRequests } from './slack-requests.js';

/**
 * The real Bolt app behind our real HTTP server (src/http/server.ts), talking to a fake Slack
 * Web API, with a client that sends signed requests like Slack. `restart()` replaces the app
 * with a new instance, as a process restart would; the server and the fake stay.
 */
export interface SlackHarness {
  fake: FakeSlack;
  slack: SlackApp;
  server: Server;
  requests: SlackRequests;
  secret: string;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startSlackHarness(
  options: { users?: FakeUser[] } & Partial<Pick<SlackAppOptions, 'produce' | 'now' | 'registry' | 'log' | 'broadcasts'>> = {},
): Promise<SlackHarness> {
  const fake = await FakeSlack.start({ users: options.users });
  const secret = randomBytes(16).toString('hex');
  const make = () =>
    createSlackApp({
      token: fake.token,
      signingSecret: secret,
      apiUrl: fake.url,
      produce: options.produce,
      log: options.log ?? createLogger('silent'),
      now: options.now,
      registry: options.registry,
      broadcasts: options.broadcasts,
    });
  let slack = await make();
  // The server keeps its routes; each request goes to whichever app instance is current.
  const routes = slackRoutes(slack).map((route) => ({ ...route, handler: (...args: Parameters<typeof route.handler>) => slack.handle(...args) }));
  const server = createHttpServer(routes, createLogger('silent'));
  const port = await listen(server, 0);
  const requests = new SlackRequests(`http://127.0.0.1:${port}${slack.path}`, secret, fake);

  const harness: SlackHarness = {
    fake,
    slack,
    server,
    requests,
    secret,
    async restart() {
      slack = await make();
      harness.slack = slack;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.stop();
    },
  };
  return harness;
}
