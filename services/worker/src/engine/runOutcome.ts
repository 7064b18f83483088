import { userZip } from '@planexe/artifact-sources/userZip';
import { PIPELINE_VERSION } from '@planexe/contracts';
import { chargeFinalUsage, insertEvent, isRunStopped, RunSuperseded, type Outcome, type PlanStore } from '@planexe/db';
import { isDependencyDown } from '@planexe/infra';
import { LlmExhaustedError } from '@planexe/llm';
import { meters, type Logger } from '@planexe/telemetry';
import { StepFailed } from './executor.ts';
import type { ActivityLog } from './activityLog.ts';
import type { RunLease } from './runLease.ts';
import { RunInterrupted, StopRequested, VersionMismatch } from './runErrors.ts';
import { stepLabel } from './stepTypes.ts';

/** What a run has made so far: its files (persisted), the step it is on, and its LLM usage. */
export interface RunRecord {
  files: Map<string, Buffer>;
  label: string | null;
  activity: ActivityLog;
}

export interface OutcomeDeps {
  store: PlanStore;
  log: Logger;
  settings: { workerId: string; creditPriceCents: number; successFeeUsd: number };
  /** Runs a write that must happen, waiting out a Postgres outage until `signal` (or the worker's shutdown) aborts. */
  whileDown<T>(fn: () => Promise<T>, planId: string, signal?: AbortSignal): Promise<T>;
}

const rootCause = (e: unknown): unknown => (e instanceof StepFailed ? rootCause(e.cause) : e);

/** How a run ends: the final state with its artifacts, the audit event, and the final usage charge. */
export class RunOutcome {
  constructor(private readonly d: OutcomeDeps) {}

  /** The run's last write; a run superseded meanwhile (stopped and retried, taken over) writes nothing. */
  async finish(lease: RunLease, outcome: Outcome, run: RunRecord, reportHtml: string | null, overview: unknown): Promise<void> {
    const { store, settings: s, log } = this.d;
    const { key, row } = lease;
    const zip = await userZip(run.files);
    const final = await this.d.whileDown(() => store.finish(key, outcome, { reportHtml, zip, activityOverview: overview, trackActivity: run.activity.jsonl() }), key.planId);
    if (!final) {
      log.info({ plan_id: key.planId }, 'run superseded before its final write');
      return;
    }
    meters.planTransition(outcome.state);
    const succeeded = outcome.state === 'completed';
    const transition = succeeded ? 'Processing -> Completed' : outcome.state === 'stopped' ? 'Processing -> Stopped' : 'Processing -> Failed';
    await insertEvent(store.db, succeeded ? 'TASK_COMPLETED' : 'TASK_FAILED', transition, {
      task_id: key.planId,
      worker_id: s.workerId,
      attempt: key.attempt,
    }).catch(() => {});
    // billing after the state is written is best-effort: it never changes the plan's state
    await chargeFinalUsage(store.db, {
      planId: key.planId,
      userId: row.user_id,
      apiKeyId: row.api_key_id,
      totalCostUsd: run.activity.totalCost(),
      successFeeUsd: succeeded ? s.successFeeUsd : 0,
      creditPriceCents: s.creditPriceCents,
      succeeded,
    }).catch((e) => log.error({ plan_id: key.planId, err: String(e) }, 'final billing failed'));
  }

  /**
   * A run that threw: superseded runs end silently, an outage or a shutdown leaves the plan processing for its
   * redelivered job (thrown), a stop keeps the partial artifacts, anything else fails the plan with the reason.
   */
  async fail(lease: RunLease, err: unknown, run: RunRecord): Promise<void> {
    const { key, row } = lease;
    const root = rootCause(err);
    const aborted = lease.signal.reason;
    if (root instanceof RunSuperseded || aborted instanceof RunSuperseded) return;
    // an outage is never the plan's failure: leave it processing and claimed; the job comes again with backoff
    if (isDependencyDown(root) && !(aborted instanceof StopRequested)) throw new RunInterrupted(root);
    let stopped: boolean;
    try {
      stopped = root instanceof StopRequested || aborted instanceof StopRequested || (await isRunStopped(this.d.store.db, key));
    } catch (e) {
      if (isDependencyDown(e)) throw new RunInterrupted(e);
      throw e;
    }
    if (stopped) return this.finish(lease, { state: 'stopped' }, run, null, run.activity.overview());
    if (root instanceof VersionMismatch) {
      const msg = `Not resumable: version mismatch (v${String(root.stored)} vs v${PIPELINE_VERSION}), use Retry.`;
      return this.finish(lease, { state: 'failed', failureReason: 'version_mismatch', failedStep: row.current_step, errorMessage: msg, recoverable: false }, run, null, null);
    }
    if (aborted) throw aborted; // shutdown: leave the plan processing; the job is redelivered and taken over
    const failedStep = err instanceof StepFailed ? stepLabel(err.step.name) : run.label;
    const outcome: Outcome =
      root instanceof LlmExhaustedError
        ? {
            state: 'failed',
            failureReason: 'generation_error',
            failedStep,
            errorMessage: 'Unable to generate this step: every configured model failed. plan_resume retries from this step.',
            recoverable: true,
          }
        : {
            state: 'failed',
            failureReason: err instanceof StepFailed ? 'generation_error' : 'worker_error',
            failedStep,
            errorMessage: (root instanceof Error ? root.message : String(root)).slice(0, 256),
            recoverable: true,
          };
    this.d.log.warn({ plan_id: key.planId, step: failedStep, err: outcome.errorMessage }, 'plan failed');
    return this.finish(lease, outcome, run, null, run.activity.overview());
  }
}
