import type { ServerResponse } from 'node:http';
import { finishResponse, isWritable, sseComment } from './sseWire.ts';

/**
 * The MCP endpoint's GET stream (Streamable HTTP): this server is stateless and never pushes a message, so the stream
 * only holds the connection open with keep-alive comments. It is still a held connection, so it lives under the same
 * rules as a plan stream: it takes an SSE connection slot (per-address and server-wide caps), ends at
 * PLANEXE_SSE_MAX_DURATION, and ends with a reconnect comment on shutdown.
 */
export class IdleMcpStream {
  private ended = false;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly maxAge: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    keepAliveMs: number,
    maxDurationMs: number,
    private readonly onEnd: (s: IdleMcpStream) => void,
  ) {
    res.write(sseComment('stream open'));
    this.keepAlive = setInterval(() => this.write(sseComment('keep-alive')), keepAliveMs);
    this.maxAge = setTimeout(() => this.finish(sseComment('maximum stream duration reached')), maxDurationMs);
    res.once('close', () => this.end());
  }

  drain(): void {
    this.finish(sseComment('reconnect: this server is shutting down'));
  }

  private write(chunk: string): void {
    if (isWritable(this.res)) this.res.write(chunk);
    else this.end();
  }

  private finish(chunk: string): void {
    if (this.ended) return;
    finishResponse(this.res, chunk);
    this.end();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepAlive);
    clearTimeout(this.maxAge);
    this.onEnd(this);
  }
}
