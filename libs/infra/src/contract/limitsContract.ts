import { describe, it, expect, afterEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Limits } from '../ports.ts';

/** Behaviour every Limits adapter must show. Two instances from `make` must share budgets and slots. */
export function limitsContract(name: string, make: () => Promise<Limits>) {
  describe(`Limits contract: ${name}`, () => {
    const open: Limits[] = [];
    const fresh = async () => {
      const l = await make();
      open.push(l);
      return l;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((l) => l.close()));
    });

    it('allows `limit` points per window and refuses the next with a reset time', async () => {
      const l = await fresh();
      const key = `k-${randomUUID()}`;
      for (let i = 0; i < 3; i++) expect((await l.consume(key, 1, 3, 60)).allowed).toBe(true);
      const r = await l.consume(key, 1, 3, 60);
      expect(r.allowed).toBe(false);
      expect(r.resetMs).toBeGreaterThan(0);
      expect(r.resetMs).toBeLessThanOrEqual(60_000);
    });

    it('a refused request takes no budget; a heavier request costs more', async () => {
      const l = await fresh();
      const key = `k-${randomUUID()}`;
      expect((await l.consume(key, 3, 4, 60)).allowed).toBe(true);
      expect((await l.consume(key, 3, 4, 60)).allowed).toBe(false);
      expect((await l.consume(key, 1, 4, 60)).allowed).toBe(true);
    });

    it('keys have separate budgets', async () => {
      const l = await fresh();
      const a = `a-${randomUUID()}`;
      expect((await l.consume(a, 1, 1, 60)).allowed).toBe(true);
      expect((await l.consume(`b-${randomUUID()}`, 1, 1, 60)).allowed).toBe(true);
      expect((await l.consume(a, 1, 1, 60)).allowed).toBe(false);
    });

    it('caps slots per group, frees them on release, and lets a lease expire', async () => {
      const l = await fresh();
      const g = `g-${randomUUID()}`;
      expect(await l.acquireSlot(g, 'h1', 2, 60_000)).toBe(true);
      expect(await l.acquireSlot(g, 'h2', 2, 300)).toBe(true);
      expect(await l.acquireSlot(g, 'h3', 2, 60_000)).toBe(false);
      expect(await l.slotCount(g)).toBe(2);
      await l.releaseSlot(g, 'h1');
      expect(await l.acquireSlot(g, 'h3', 2, 60_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 450));
      expect(await l.acquireSlot(g, 'h4', 2, 60_000)).toBe(true);
    });

    it('a holder acquiring again keeps its one slot; renewing a released slot does not bring it back', async () => {
      const l = await fresh();
      const g = `g-${randomUUID()}`;
      expect(await l.acquireSlot(g, 'h1', 2, 60_000)).toBe(true);
      expect(await l.acquireSlot(g, 'h1', 2, 60_000)).toBe(true);
      expect(await l.slotCount(g)).toBe(1);
      await l.releaseSlot(g, 'h1');
      await l.renewSlot(g, 'h1', 60_000);
      expect(await l.slotCount(g)).toBe(0);
    });

    it('renewing keeps a slot alive past its first lease', async () => {
      const l = await fresh();
      const g = `g-${randomUUID()}`;
      expect(await l.acquireSlot(g, 'h1', 1, 300)).toBe(true);
      await new Promise((r) => setTimeout(r, 150));
      await l.renewSlot(g, 'h1', 2_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(await l.acquireSlot(g, 'h2', 1, 1_000)).toBe(false);
    });
  });
}
