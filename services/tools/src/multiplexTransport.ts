import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';

type Pending = { originalId: string | number; resolve: (m: JSONRPCMessage) => void };

/**
 * Feeds independent HTTP requests into one connected SDK Server. Each request gets a private JSON-RPC id while
 * in flight (clients of a stateless server all reuse small ids), and the answer is mapped back to the caller's
 * id. No library offers this: the SDK's own HTTP transport expects one transport (and server) per request in
 * stateless mode, which costs a full server set-up per call.
 */
export class MultiplexTransport implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private pending = new Map<number, Pending>();
  private seq = 0;

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    const id = (message as { id?: unknown }).id;
    if (typeof id !== 'number') return; // server-initiated traffic has nowhere to go in stateless mode
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.resolve({ ...(message as object), id: p.originalId } as JSONRPCMessage);
  }

  async close(): Promise<void> {
    this.pending.clear();
    this.onclose?.();
  }

  /** Dispatches one request and resolves with its response. */
  request(message: { id: string | number } & Record<string, unknown>, extra: MessageExtraInfo): Promise<JSONRPCMessage> {
    const internalId = ++this.seq;
    if (this.seq >= Number.MAX_SAFE_INTEGER) this.seq = 0;
    return new Promise((resolve) => {
      this.pending.set(internalId, { originalId: message.id, resolve });
      this.onmessage?.({ ...message, id: internalId } as unknown as JSONRPCMessage, extra);
    });
  }

  /** Delivers a notification (no answer). */
  notify(message: JSONRPCMessage, extra: MessageExtraInfo): void {
    this.onmessage?.(message, extra);
  }
}
