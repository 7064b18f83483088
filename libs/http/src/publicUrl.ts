import type { Context } from 'koa';

/** `<scheme>://<host>` of a request as the client sees it (spec/artifacts.md §1.4); configured base wins. */
export function requestBaseUrl(ctx: Context, configured?: string): string | undefined {
  if (configured) return configured.replace(/\/+$/, '');
  const fp = String(ctx.get('x-forwarded-proto') || '').split(',')[0].trim().toLowerCase();
  const scheme = fp === 'http' || fp === 'https' ? fp : ctx.protocol;
  const host = String(ctx.get('x-forwarded-host') || '').split(',')[0].trim() || ctx.get('host');
  if (!host) return undefined;
  return `${scheme}://${host}`;
}
