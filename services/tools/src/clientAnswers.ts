import { randomBytes } from 'node:crypto';
import { isJSONRPCErrorResponse, isJSONRPCResultResponse, type JSONRPCResponse } from '@modelcontextprotocol/server';
import type { Caller } from '@planexe/auth';
import type { ProgressBus } from '@planexe/infra';

/**
 * Routing a 2025 client's answers to the server-to-client requests of a call (sampling/createMessage,
 * elicitation/create, roots/list) back to the call, without sessions (spec/http.md §6.1).
 *
 * The request travels on the call's own SSE stream; the client answers with a new POST to /mcp whose body is a
 * JSON-RPC response, and that POST may reach any replica. So each outgoing request gets a wire id of its own,
 * `<replica>.<128 random bits>`: unguessable (an answer cannot be aimed at someone else's call by guessing) and
 * naming the replica that holds the call. The replica that takes the answer delivers it when the id is its own and
 * the answering caller is the call's caller, and otherwise hands it to the owning replica over the bus (a subject per
 * replica), which checks the same. An answer for an unknown id, or from another caller, is dropped: the POST still
 * gets 202, so an answer reveals nothing about other calls.
 */

/** Who may answer a call's requests: the call's own caller (with auth off every request is the same anonymous one). */
export const answerIdentity = (c: Caller): string => `${c.kind}:${c.owner}:${c.apiKeyId ?? ''}`;

/** A posted body that is one JSON-RPC response (an id with a result or an error, no method): a client's answer. */
export const isClientAnswer = (body: unknown): body is JSONRPCResponse =>
  !!body && typeof body === 'object' && !Array.isArray(body) && !('method' in body) && (isJSONRPCResultResponse(body) || isJSONRPCErrorResponse(body));

/** The largest answer handed to another replica (the bus's own limit is about 1 MB). */
const MAX_RELAYED_ANSWER_CHARS = 64 * 1024;

const WIRE_ID = /^([0-9a-f]{12})\.([A-Za-z0-9_-]{22})$/;

/** What became of an answer (for tests and logs; the client always gets 202). */
export type AnswerOutcome = 'delivered' | 'relayed' | 'not-yours' | 'unknown';

interface Waiting {
  identity: string;
  deliver(answer: JSONRPCResponse): void;
}

interface Relayed {
  answer: JSONRPCResponse;
  identity: string;
}

export class ClientAnswers {
  /** This replica's token in wire ids and in its bus subject. */
  readonly replica: string;
  private readonly waiting = new Map<string, Waiting>();
  private unsubscribe?: () => Promise<void>;

  /** `bus`: where answers for another replica go, and where this one's arrive (absent: this replica only). */
  constructor(private readonly bus?: Pick<ProgressBus, 'publishToReplica' | 'subscribeReplica'>, replica = randomBytes(6).toString('hex')) {
    if (!/^[0-9a-f]{12}$/.test(replica)) throw new Error('replica id must be 12 hex digits');
    this.replica = replica;
  }

  /** Starts taking this replica's answers from the bus (other replicas relay them here). */
  async start(): Promise<void> {
    if (!this.bus || this.unsubscribe) return;
    this.unsubscribe = await this.bus.subscribeReplica(this.replica, (m) => {
      const r = m as Partial<Relayed> | null;
      // a bus message is input like any other: only a well-formed answer with an identity is looked at. The identity
      // is the relaying replica's word, trusted as stop signals on the same bus are: the bus is internal, and who may
      // publish on it is configured there (NATS accounts), not here
      if (r && typeof r.identity === 'string' && isClientAnswer(r.answer)) this.deliverHere(r.answer, r.identity);
    });
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.waiting.clear();
  }

  /** Registers an outgoing request of a call by `identity`; returns the id it carries on the wire. */
  ask(identity: string, deliver: (answer: JSONRPCResponse) => void): string {
    const wireId = `${this.replica}.${randomBytes(16).toString('base64url')}`;
    this.waiting.set(wireId, { identity, deliver });
    return wireId;
  }

  /** The request is over (answered elsewhere, timed out, or its call ended). */
  forget(wireId: string): void {
    this.waiting.delete(wireId);
  }

  /** How many requests wait for an answer on this replica (tests: nothing is left behind). */
  get pending(): number {
    return this.waiting.size;
  }

  /** An answer POSTed by `identity`: delivered here, relayed to the replica that holds the call, or dropped. */
  async answer(answer: JSONRPCResponse, identity: string): Promise<AnswerOutcome> {
    const m = typeof answer.id === 'string' ? WIRE_ID.exec(answer.id) : null;
    if (!m) return 'unknown';
    if (m[1] === this.replica) return this.deliverHere(answer, identity);
    if (!this.bus) return 'unknown';
    const relayed = { answer, identity } satisfies Relayed;
    // an answer to sampling or elicitation is small; a body near the request limit is not relayed (nor can it
    // exceed the bus's message size), and a bus that refuses the message loses only this answer
    if (JSON.stringify(relayed).length > MAX_RELAYED_ANSWER_CHARS) return 'unknown';
    try {
      await this.bus.publishToReplica(m[1], relayed);
    } catch {
      return 'unknown';
    }
    return 'relayed';
  }

  private deliverHere(answer: JSONRPCResponse, identity: string): AnswerOutcome {
    const w = this.waiting.get(answer.id as string);
    if (!w) return 'unknown';
    if (w.identity !== identity) return 'not-yours';
    this.waiting.delete(answer.id as string); // one answer per request: a replay finds nothing
    w.deliver(answer);
    return 'delivered';
  }
}
