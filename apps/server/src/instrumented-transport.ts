import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ServerMetrics } from './metrics.js';

/**
 * Wraps any MCP transport (Streamable HTTP, stdio) to time every `tools/call` from request to
 * answer and count its outcome, so tool latency and errors are measured the same way whatever
 * carried the call, including calls the SDK rejects before a tool runs (bad arguments).
 */
export class InstrumentedTransport implements Transport {
  readonly #inner: Transport;
  readonly #metrics: ServerMetrics;
  readonly #calls = new Map<RequestId, { tool: string; started: number }>();
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  constructor(inner: Transport, metrics: ServerMetrics) {
    this.#inner = inner;
    this.#metrics = metrics;
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  start(): Promise<void> {
    this.#inner.onclose = () => this.onclose?.();
    this.#inner.onerror = (error) => this.onerror?.(error);
    this.#inner.onmessage = (message, extra) => {
      if ('method' in message && message.method === 'tools/call' && 'id' in message) {
        const tool = typeof message.params?.['name'] === 'string' ? message.params['name'] : '(none)';
        this.#calls.set(message.id, { tool, started: performance.now() });
      }
      this.onmessage?.(message, extra);
    };
    return this.#inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ('id' in message && message.id !== undefined && ('result' in message || 'error' in message)) {
      const call = this.#calls.get(message.id);
      if (call) {
        this.#calls.delete(message.id);
        const ok = 'result' in message && (message.result as { isError?: boolean }).isError !== true;
        this.#metrics.toolCall(call.tool, (performance.now() - call.started) / 1000, ok);
      }
    }
    return this.#inner.send(message, options);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
