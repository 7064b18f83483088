/** Puts a plan's status on the page. Every text goes in as text (textContent), never as markup. */
import { failureAdvice, formatDuration, isActive, lastFinished, STATE_LABEL, timeLeft, type PlanStatus } from './status.ts';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

export const el = {
  app: $('app'),
  state: $('state'),
  notice: $('notice'),
  plan: $('plan'),
  prompt: $('prompt'),
  bar: $<HTMLProgressElement>('bar'),
  steps: $('steps'),
  current: $('current'),
  elapsed: $('elapsed'),
  left: $('left'),
  failure: $('failure'),
  stop: $<HTMLButtonElement>('stop'),
  resume: $<HTMLButtonElement>('resume'),
  retry: $<HTMLButtonElement>('retry'),
  recentBox: $('recent-box'),
  recent: $('recent'),
  done: $('done'),
  dlReport: $<HTMLAnchorElement>('dl-report'),
  dlZip: $<HTMLAnchorElement>('dl-zip'),
  report: $('report'),
};

/** A transient notice (the first "waiting" line, a lost connection) goes with the next good answer. */
export function showNotice(text: string, kind: 'info' | 'error' = 'info', transient = false): void {
  el.notice.textContent = text;
  el.notice.dataset.kind = kind;
  el.notice.dataset.transient = String(transient);
  el.notice.hidden = !text;
}

export function showPrompt(prompt: string | undefined): void {
  el.prompt.hidden = !prompt;
  el.prompt.textContent = prompt ?? '';
}

/** The elapsed time shown now: the server's figure plus the time since it came, while the plan runs. */
export function elapsedNow(s: PlanStatus, receivedAt: number): number {
  return s.state === 'processing' ? s.timing.elapsed_sec + (Date.now() - receivedAt) / 1000 : s.timing.elapsed_sec;
}

export function showClock(s: PlanStatus, receivedAt: number): void {
  const elapsed = elapsedNow(s, receivedAt);
  el.elapsed.textContent = s.timing.started_at || elapsed > 0 ? formatDuration(elapsed) : '—';
  el.left.textContent = timeLeft(s, elapsed);
}

export function showStatus(s: PlanStatus, receivedAt: number, busy: boolean): void {
  el.app.setAttribute('aria-busy', 'false');
  el.plan.hidden = false;
  el.state.hidden = false;
  el.state.textContent = STATE_LABEL[s.state];
  el.state.dataset.state = s.state;
  const total = s.steps_total ?? 0;
  const done = s.steps_completed ?? 0;
  el.bar.max = Math.max(1, total);
  el.bar.value = s.state === 'completed' ? el.bar.max : Math.min(done, el.bar.max);
  el.steps.textContent = total ? `${done} of ${total} steps (${Math.round(s.progress_percentage)} %)` : `${Math.round(s.progress_percentage)} %`;
  el.current.textContent = s.state === 'completed' ? 'all steps finished' : (s.current_step ?? '—');
  showClock(s, receivedAt);

  const recent = lastFinished(s);
  el.recentBox.hidden = !recent.length || s.state === 'completed';
  el.recent.replaceChildren(
    ...recent.map((r) => {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = r.name;
      const time = document.createElement('span');
      time.className = 'dur';
      time.textContent = r.seconds === null ? '' : formatDuration(r.seconds);
      li.append(name, time);
      return li;
    }),
  );

  el.failure.hidden = s.state !== 'failed';
  if (s.state === 'failed') {
    const why = document.createElement('p');
    why.className = 'why';
    why.textContent = s.error?.message || 'The plan failed.';
    const detail = document.createElement('p');
    const parts = [s.error?.failure_reason && `Reason: ${s.error.failure_reason}`, s.error?.failed_step && `Step: ${s.error.failed_step}`].filter(Boolean);
    detail.textContent = parts.join(' · ');
    const advice = document.createElement('p');
    advice.textContent = failureAdvice(s);
    el.failure.replaceChildren(why, ...(parts.length ? [detail] : []), advice);
  }

  el.stop.hidden = !isActive(s);
  el.resume.hidden = !(s.state === 'stopped' || (s.state === 'failed' && s.error?.recoverable !== false));
  el.retry.hidden = !(s.state === 'failed' || s.state === 'stopped');
  for (const b of [el.stop, el.resume, el.retry]) b.disabled = busy;
  el.done.hidden = s.state !== 'completed';
}

export function showNotFound(planId: string): void {
  el.app.setAttribute('aria-busy', 'false');
  el.plan.hidden = true;
  el.state.hidden = true;
  showNotice(`Plan not found: ${planId}. It does not exist, or it belongs to another account.`, 'error');
}
