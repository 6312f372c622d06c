import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SkillsError } from '@skills/protocol';
import { sendJson } from './respond.js';

/** The port is taken, or may not be used: a message for people, no stack. */
export class ListenError extends SkillsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LISTEN', message, options);
  }
}

/** Timeouts of the Node HTTP server (documented in the README with the other limits). */
export interface ServerTimeouts {
  /** Time to receive a request's headers. */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request. */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this. */
  readonly keepAliveTimeoutMs: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A server listening on its port, whose requests are answered once {@link handle} is given a handler. */
export interface BoundServer {
  readonly server: Server;
  readonly address: AddressInfo;
  /** Starts answering requests with `handler`; until then they get 503. */
  handle(handler: Handler): void;
}

/**
 * Listens on `host:port` before anything else is opened, so that a taken port fails before the
 * database is created. Requests that come before {@link BoundServer.handle} get 503.
 */
export async function bind(host: string, port: number, timeouts: ServerTimeouts): Promise<BoundServer> {
  let handler: Handler = (_req, res) => sendJson(res, 503, { error: 'the server is starting; try again in a moment' }, { 'retry-after': '1' });
  const server = createServer((req, res) => handler(req, res));
  // Idle keep-alive connections are closed sooner than the clients' own timeouts.
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  // A client that trickles its headers or body (slowloris) is cut off.
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return {
    server,
    address: server.address() as AddressInfo,
    handle(next) {
      handler = next;
    },
  };
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  if (error.code === 'EADDRINUSE') {
    return new ListenError(`port ${port} on ${host} is already in use (is another skills server running?); choose another with --port`, { cause: error });
  }
  if (error.code === 'EACCES') return new ListenError(`not allowed to listen on ${where} (ports below 1024 need privileges); choose another with --port`, { cause: error });
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return new ListenError(`cannot listen on ${where}: no such address on this machine; check --host`, { cause: error });
  }
  return new ListenError(`cannot listen on ${where}: ${error.message}`, { cause: error });
}
