/**
 * The plan view: learns its plan from the tool call the host shows it for, then follows the plan by waiting, one
 * plan_status call with wait_seconds in flight at a time (the server answers when the plan changes or the wait
 * ends), so changes show within a second and an idle plan costs two calls a minute. Everything goes through the
 * host: tools/call, resources/read (the report), ui/open-link (downloads). No timer fetches anything.
 */
import { HostBridge, type ToolCallResult } from './bridge.ts';
import { reportSections } from './report.ts';
import { fingerprint, IDLE_PAUSE_MS, isActive, pauseAfter, type PlanStatus } from './status.ts';
import { applyHostContext } from './theme.ts';
import { el, showClock, showNotFound, showNotice, showPrompt, showStatus } from './view.ts';

/** plan_status wait (seconds); a server that ignores the parameter answers at once. */
const WAIT_SECONDS = 25;
const REPORT_URI = (id: string) => `ui://planexe/plan/${encodeURIComponent(id)}/report.html`;

let planId: string | undefined;
let status: PlanStatus | undefined;
let receivedAt = 0;
let busy = false;
let following = false;
let closed = false;
let reportShown = false;
let wake: (() => void) | undefined;
let refreshWanted = false;

const bridge = new HostBridge({
  toolInput: (args) => {
    if (typeof args.prompt === 'string') showPrompt(args.prompt);
    if (typeof args.plan_id === 'string') setPlan(args.plan_id);
  },
  toolResult: (result) => {
    const payload = result.structuredContent ?? {};
    const id = typeof payload.plan_id === 'string' ? payload.plan_id : undefined;
    if (result.isError) return showToolError(payload, planId);
    if (id) setPlan(id);
    if (typeof payload.state === 'string' && 'timing' in payload) accept(payload as unknown as PlanStatus);
  },
  hostContext: applyHostContext,
  teardown: () => {
    closed = true;
    wake?.();
  },
});

function payloadOf(r: ToolCallResult): Record<string, unknown> {
  if (r.structuredContent) return r.structuredContent;
  try {
    return JSON.parse(r.content?.find((c) => c.type === 'text')?.text ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

function showToolError(payload: Record<string, unknown>, id: string | undefined, transient = false): void {
  const err = (payload.error ?? {}) as { code?: string; message?: string };
  if (err.code === 'PLAN_NOT_FOUND') {
    closed = true;
    return showNotFound(id ?? '');
  }
  showNotice(err.message ?? 'The request failed.', 'error', transient);
}

function setPlan(id: string): void {
  if (planId === id) return;
  planId = id;
  void loadPrompt(id);
  void follow();
}

/** plan_status carries no prompt: the caller's plan list has its excerpt (one call, once). */
async function loadPrompt(id: string): Promise<void> {
  if (!el.prompt.hidden) return;
  try {
    const list = payloadOf(await bridge.callTool('plan_list', { limit: 50 })) as { plans?: { plan_id: string; prompt_excerpt: string }[] };
    const mine = list.plans?.find((p) => p.plan_id === id);
    if (mine && el.prompt.hidden) showPrompt(mine.prompt_excerpt);
  } catch {
    // the prompt is a nicety: the view works without it
  }
}

function accept(s: PlanStatus): void {
  const changed = !status || fingerprint(status) !== fingerprint(s);
  status = s;
  receivedAt = Date.now();
  // a good answer clears an earlier error and the first "waiting" line; an action's own line stays until the
  // plan moves on
  if (changed || el.notice.dataset.transient === 'true') showNotice('');
  showStatus(s, receivedAt, busy);
  if (s.state === 'completed') void showReport(s.plan_id);
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(t);
      resolve();
    };
  });

/** The one loop that follows the plan: one wait in flight, never a second. */
async function follow(): Promise<void> {
  if (following) return;
  following = true;
  try {
    while (!closed && planId) {
      const id = planId;
      const before = status && status.plan_id === id ? fingerprint(status) : undefined;
      const askedAt = Date.now();
      refreshWanted = false;
      let pause = 0;
      try {
        const r = await bridge.callTool('plan_status', { plan_id: id, wait_seconds: WAIT_SECONDS });
        const payload = payloadOf(r);
        if (r.isError) {
          const err = (payload.error ?? {}) as { code?: string; details?: { retry_after?: number } };
          showToolError(payload, id, true);
          if (err.code === 'PLAN_NOT_FOUND') return;
          pause = Math.max(IDLE_PAUSE_MS, (err.details?.retry_after ?? 0) * 1000);
        } else {
          const s = payload as unknown as PlanStatus;
          accept(s);
          if (s.state === 'completed') return; // final: nothing more to wait for
          pause = pauseAfter(before, fingerprint(s), Date.now() - askedAt);
        }
      } catch (e) {
        showNotice(`Could not reach the plan: ${(e as Error).message}`, 'error', true);
        pause = IDLE_PAUSE_MS;
      }
      if (pause && !refreshWanted) await sleep(pause);
    }
  } finally {
    following = false;
  }
}

/** After an action: the next status now, not after a pause (a wait in flight returns on the change anyway). */
function refresh(): void {
  refreshWanted = true;
  wake?.();
  void follow();
}

async function act(tool: 'plan_stop' | 'plan_resume' | 'plan_retry', label: string): Promise<void> {
  if (!planId || busy) return;
  busy = true;
  if (status) showStatus(status, receivedAt, busy);
  showNotice(`${label}…`);
  try {
    const r = await bridge.callTool(tool, { plan_id: planId });
    const payload = payloadOf(r);
    if (r.isError) showToolError(payload, planId);
    else {
      showNotice(`${label}: done.`);
      if (tool !== 'plan_stop') reportShown = false;
    }
  } catch (e) {
    // the host may ask the user to confirm and be told no, or refuse the call
    showNotice(`${label} did not happen: ${(e as Error).message}`, 'error');
  } finally {
    busy = false;
    if (status) showStatus(status, receivedAt, busy);
    refresh();
  }
}

async function showReport(id: string): Promise<void> {
  if (reportShown) return;
  reportShown = true;
  el.report.replaceChildren();
  try {
    const [res, html, zip] = await Promise.all([
      bridge.readResource(REPORT_URI(id)),
      bridge.callTool('plan_file_info', { plan_id: id, artifact: 'report' }),
      bridge.callTool('plan_file_info', { plan_id: id, artifact: 'zip' }),
    ]);
    setDownload(el.dlReport, payloadOf(html).download_url);
    setDownload(el.dlZip, payloadOf(zip).download_url);
    const text = res.contents.find((c) => typeof c.text === 'string')?.text ?? '';
    el.report.replaceChildren(...reportSections(text));
  } catch (e) {
    reportShown = false;
    const p = document.createElement('p');
    p.textContent = `The report could not be shown here: ${(e as Error).message}`;
    el.report.replaceChildren(p);
  }
}

function setDownload(a: HTMLAnchorElement, url: unknown): void {
  a.hidden = typeof url !== 'string';
  if (typeof url === 'string') a.dataset.url = url;
}

for (const a of [el.dlReport, el.dlZip]) {
  a.addEventListener('click', (e) => {
    e.preventDefault();
    // the host opens it (a link of ours would be a request from inside the view)
    if (a.dataset.url) void bridge.openLink(a.dataset.url).catch((err: Error) => showNotice(`The host did not open the link: ${err.message}`, 'error'));
  });
}
el.stop.addEventListener('click', () => void act('plan_stop', 'Stopping'));
el.resume.addEventListener('click', () => void act('plan_resume', 'Resuming'));
el.retry.addEventListener('click', () => void act('plan_retry', 'Retrying'));

// the clock moves on screen between answers; it fetches nothing
setInterval(() => status && isActive(status) && showClock(status, receivedAt), 1000);
new ResizeObserver(() => bridge.sizeChanged(document.documentElement.scrollWidth, document.documentElement.scrollHeight)).observe(document.body);

bridge.connect().catch((e: Error) => showNotice(`Could not connect to the host: ${e.message}`, 'error'));
