import { describe, it, expect } from 'vitest';
import type { JSONRPCResponse } from '@modelcontextprotocol/server';
import { anonymousCaller, type Caller } from '@planexe/auth';
import { MemoryBus } from '@planexe/infra';
import { answerIdentity, ClientAnswers, isClientAnswer } from './clientAnswers.ts';

const until = async (cond: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const user = (id: string, key: string): Caller => ({ kind: 'user', owner: id, userId: id, apiKeyId: key, user: null });
const contentOf = (r: JSONRPCResponse) => (r as unknown as { result: { content: { v: string } } }).result.content.v;
const reply = (id: string, content: string): JSONRPCResponse => ({ jsonrpc: '2.0', id, result: { action: 'accept', content: { v: content } } });

describe('client answers: routing by wire id, owner check, relay between replicas', () => {
  it('a wire id names the replica and 128 random bits; the call\'s caller\'s answer is delivered once', async () => {
    const answers = new ClientAnswers();
    const alice = answerIdentity(user('u1', 'k1'));
    const got: JSONRPCResponse[] = [];
    const id = answers.ask(alice, (a) => got.push(a));
    expect(id).toMatch(new RegExp(`^${answers.replica}\\.[A-Za-z0-9_-]{22}$`));
    expect(answers.ask(alice, () => {})).not.toBe(id);
    expect(await answers.answer(reply(id, 'bob'), answerIdentity(user('u2', 'k2')))).toBe('not-yours');
    // the same user with another key is another caller too
    expect(await answers.answer(reply(id, 'k3'), answerIdentity(user('u1', 'k3')))).toBe('not-yours');
    expect(await answers.answer(reply(id, 'anon'), answerIdentity(anonymousCaller()))).toBe('not-yours');
    expect(got).toEqual([]);
    expect(await answers.answer(reply(id, 'alice'), alice)).toBe('delivered');
    expect(await answers.answer(reply(id, 'replay'), alice)).toBe('unknown');
    expect(got.map(contentOf)).toEqual(['alice']);
  });

  it('unknown, malformed and forgotten ids are dropped', async () => {
    const answers = new ClientAnswers();
    const me = answerIdentity(anonymousCaller());
    const id = answers.ask(me, () => {
      throw new Error('must not be delivered');
    });
    answers.forget(id);
    for (const bad of [id, `${answers.replica}.short`, '7', 'x'.repeat(40)]) expect(await answers.answer(reply(bad, 'x'), me)).toBe('unknown');
    expect(await answers.answer({ jsonrpc: '2.0', id: 7, result: {} }, me)).toBe('unknown');
    // no bus: another replica's id cannot be relayed
    expect(await answers.answer(reply('0123456789ab.AAAAAAAAAAAAAAAAAAAAAA', 'x'), me)).toBe('unknown');
    expect(answers.pending).toBe(0);
  });

  it('an answer taken by another replica is relayed on the bus to the one that holds the call, which checks the caller', async () => {
    const bus = new MemoryBus();
    const a = new ClientAnswers(bus);
    const b = new ClientAnswers(bus);
    await Promise.all([a.start(), b.start()]);
    try {
      const alice = answerIdentity(user('u1', 'k1'));
      const got: string[] = [];
      const id = a.ask(alice, (r) => got.push(contentOf(r)));
      expect(await b.answer(reply(id, 'mallory'), answerIdentity(user('u2', 'k2')))).toBe('relayed');
      // junk on the replica's subject is ignored
      await bus.publishToReplica(a.replica, { answer: { id }, identity: alice });
      await bus.publishToReplica(a.replica, 'junk');
      expect(await b.answer(reply(id, 'alice'), alice)).toBe('relayed');
      await until(() => got.length > 0);
      expect(got).toEqual(['alice']);
      expect(a.pending).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('only a single JSON-RPC response is an answer', () => {
    expect(isClientAnswer(reply('a.b', 'x'))).toBe(true);
    expect(isClientAnswer({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'nope' } })).toBe(true);
    expect(isClientAnswer({ jsonrpc: '2.0', id: 1, method: 'ping' })).toBe(false);
    expect(isClientAnswer([reply('a.b', 'x')])).toBe(false);
    expect(isClientAnswer({ id: 1, result: {} })).toBe(false);
  });
});
