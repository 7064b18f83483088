import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import type { LlmProfileSettings } from '@planexe/config';
import { normaliseModelProfile, PIPELINE_VERSION, type PlanJob } from '@planexe/contracts';
import {
  chargeFinalUsage,
  claimRun,
  finishRun,
  heartbeatRun,
  heartbeatWorker,
  insertEvent,
  loadRunFiles,
  persistStep,
  recordTokenMetric,
  RunSuperseded,
  toSnapshot,
  writeProgress,
  type Db,
  type Outcome,
  type PlanStatusRow,
  type RunKey,
} from '@planexe/db';
import { isDependencyDown, type ProgressBus } from '@planexe/infra';
import { meters, withSpan, withSpanFrom, type Logger } from '@planexe/telemetry';
import { LlmExhaustedError, ModelRouter, modelListForRun, modelsForProfile, type LlmAttempt, type ModelRouterOptions } from '@planexe/llm';
import { executeGraph, StepFailed } from './executor.ts';
import { computeProgress } from './progress.ts';
import { inputFiles, speedFromParameters, startDateFrom } from './runContext.ts';
import { stepLabel, type StepContext, type StepDef } from './stepTypes.ts';
import { ActivityLog } from './activityLog.ts';
import { retryWhileDown } from './outageRetry.ts';
import { criticalPath, StepTimeline } from './criticalPath.ts';

export interface RunnerSettings {
  workerId: string;
  runDir: string;
  profiles: LlmProfileSettings;
  creditPriceCents: number;
  successFeeUsd: number;
  /** A processing plan whose heartbeat is older than this may be taken over by a redelivered job. */
  staleSeconds: number;
  heartbeatMs: number;
  env?: Record<string, string | undefined>;
  routerOptions?: Pick<ModelRouterOptions, 'retryBaseDelayMs' | 'retryMaxDelayMs' | 'maxRetries'>;
  /** Local models found at start-up (standalone), added to the baseline profile. */
  localEntries?: import('@planexe/config').LlmEntry[];
}

export interface RunnerDeps {
  db: Db;
  bus: ProgressBus;
  log: Logger;
  steps: StepDef[];
  expected: string[];
  settings: RunnerSettings;
}

/**
 * A dependency (Postgres) went down under a run: the plan stays `processing`, claimed by this worker, and the job
 * is delivered again (with backoff) until the run can go on. Never a reason to fail the plan.
 */
export class RunInterrupted extends Error {
  constructor(cause: unknown) {
    super(`run interrupted by an outage: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RunInterrupted';
  }
}

export class StopRequested extends Error {
  constructor() {
    super('stop requested');
    this.name = 'StopRequested';
  }
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const bytes = (v: string | Uint8Array) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

/** Runs one plan attempt end to end. Resolves when the run has reached its final state (or was superseded). */
export class PlanRunner {
  private active = new Map<string, { attempt: number; controller: AbortController }>();
  /** Aborted on shutdown: ends the waits for a dependency to come back. */
  private readonly closing = new AbortController();

  constructor(private readonly d: RunnerDeps) {}

  /** A stop signal from the bus: aborts the in-flight work of that plan at once. */
  stop(planId: string, attempt: number | null): void {
    const a = this.active.get(planId);
    if (a && (attempt == null || attempt === a.attempt)) a.controller.abort(new StopRequested());
  }

  /** Aborts every run (shutdown); their jobs are redelivered elsewhere. */
  abortAll(): void {
    this.closing.abort(new Error('worker shutting down'));
    for (const a of this.active.values()) a.controller.abort(new Error('worker shutting down'));
  }

  get activeCount(): number {
    return this.active.size;
  }

  private publish(row: PlanStatusRow | undefined) {
    if (row) this.d.bus.publishSnapshot(toSnapshot(row)).catch((e) => this.d.log.warn({ err: String(e) }, 'snapshot not published'));
  }

  /** Runs the job inside a span that continues the trace of the plan_create / retry / resume that queued it. */
  run(job: PlanJob): Promise<void> {
    return withSpanFrom(job.trace, 'plan.run', { 'planexe.plan_id': job.plan_id, 'planexe.attempt': job.attempt }, () => this.runJob(job));
  }

  private async runJob(job: PlanJob): Promise<void> {
    const { db, settings: s, log } = this.d;
    const key: RunKey = { planId: job.plan_id, attempt: job.attempt, workerId: s.workerId };
    // a re-feed of a plan this process is running already: the run in progress is the live one
    if (this.active.has(key.planId)) return;
    // an outage here throws: the job is delivered again with backoff until the database answers
    const claim = await claimRun(db, key, s.workerId, s.staleSeconds);
    if (!claim.claimed) {
      // a plan held by a live worker needs nothing from this job: if that worker dies, the reconciler re-feeds it
      log.info({ plan_id: job.plan_id, reason: claim.reason }, 'job skipped');
      return;
    }
    const row = claim.row;
    this.publish(row);
    const controller = new AbortController();
    this.active.set(key.planId, { attempt: key.attempt, controller });
    const beat = setInterval(() => {
      heartbeatRun(db, key, s.workerId)
        .then((mine) => {
          if (!mine) controller.abort(new RunSuperseded(key.planId));
        })
        .catch(() => {});
      heartbeatWorker(db, s.workerId, key.planId).catch(() => {});
    }, s.heartbeatMs);
    beat.unref();
    await heartbeatWorker(db, s.workerId, key.planId).catch(() => {});
    await insertEvent(db, 'TASK_PROCESSING', 'Pending -> Processing', { task_id: key.planId, worker_id: s.workerId, attempt: key.attempt }).catch(() => {});

    const params = row.parameters as Record<string, unknown>;
    const activity = new ActivityLog();
    let currentLabel: string | null = null;
    let sideWrites: Promise<void> = Promise.resolve();
    let files = new Map<string, Buffer>();
    const runDir = join(s.runDir, key.planId);
    try {
      files = await loadRunFiles(db, key.planId);
      await mkdir(runDir, { recursive: true });
      const meta = files.get('planexe_metadata.json');
      if (params.resume && meta && JSON.parse(text(meta)).pipeline_version !== PIPELINE_VERSION) {
        throw new VersionMismatch(JSON.parse(text(meta)).pipeline_version);
      }
      const start = startDateFrom(params);
      const initial: Record<string, Uint8Array> = {};
      for (const [n, v] of Object.entries(inputFiles(row.prompt, start))) initial[n] = bytes(v);
      initial['planexe_metadata.json'] = bytes(JSON.stringify({ pipeline_version: PIPELINE_VERSION }));
      initial['expected_filenames.json'] = bytes(JSON.stringify(this.d.expected, null, 2));
      // a takeover or resume keeps the run's inputs as first written (start_time.json is the original start)
      for (const n of Object.keys(initial)) if (files.has(n)) delete initial[n];
      await this.persist(key, 'Start Time', initial, files, null, controller.signal);

      const profile = normaliseModelProfile(params.model_profile ?? params.llm_profile);
      const source = { settings: s.profiles, env: s.env, local: s.localEntries };
      const chosen = modelsForProfile(profile, source);
      // a profile without a file runs on baseline's models
      const models = chosen.file ? chosen : modelsForProfile('baseline', source);
      const router = new ModelRouter(modelListForRun(models.entries), {
        env: s.env,
        ...s.routerOptions,
        onAttempt: (a: LlmAttempt) => activity.add(a),
      });
      /**
       * The spec's progress callback, after every LLM attempt of a step: token metrics and a progress write, queued
       * in order off the step's critical path. A run found stopped or superseded here is aborted.
       */
      const afterAttempt = (label: string) => (a: LlmAttempt) => {
        // every failure is handled inside: the chain is awaited only at the end of the run, so a rejection here
        // would be unhandled until then
        sideWrites = sideWrites.then(async () => {
          await recordTokenMetric(db, {
            planId: key.planId,
            userId: row.user_id,
            apiKeyId: row.api_key_id,
            step: label,
            modelKey: a.modelKey,
            model: null,
            inputTokens: a.usage?.promptTokens ?? 0,
            outputTokens: a.usage?.completionTokens ?? 0,
            costUsd: a.costUsd,
            durationSeconds: a.durationMs / 1000,
            success: a.ok,
            error: a.ok ? null : (a.error ?? null),
          }).catch(() => {});
          try {
            // computed from the files committed so far; the database keeps the larger of this and what it has
            this.publish(await writeProgress(db, key, computeProgress(files.keys(), this.d.expected, label), s.workerId));
          } catch (e) {
            if (e instanceof RunSuperseded) {
              const stopped = await this.isStopped(key).catch(() => false);
              controller.abort(stopped ? new StopRequested() : e);
            } else {
              // progress between steps is advisory; the next step's persist writes it again (and waits out an outage)
              log.warn({ plan_id: key.planId, err: e instanceof Error ? e.message : String(e) }, 'progress not written');
            }
          }
        });
      };
      const speed = speedFromParameters(params);

      const timeline = new StepTimeline();
      await executeGraph(this.d.steps, router.luigiWorkers(), {
        isDone: (step) => step.outputs.every((o) => files.has(o)),
        runStep: (step) => {
          const label = stepLabel(step.name);
          currentLabel = label;
          const ctx: StepContext = {
            planId: key.planId,
            prompt: row.prompt,
            startDate: start,
            speed,
            signal: controller.signal,
            has: (n) => files.has(n),
            read: (n) => {
              const b = files.get(n);
              if (!b) throw new Error(`missing input file ${n}`);
              return text(b);
            },
            readJson: (n) => JSON.parse(ctx.read(n)),
            llmJson: async (schema, messages, o) => {
              currentLabel = label;
              return timeline.call(step.name, () => withSpan('llm.chat', { 'planexe.step': label }, async (span) => {
                const r = await router.completeJson(schema, messages, { ...o, signal: controller.signal, onAttempt: afterAttempt(label) });
                span.setAttributes({ 'gen_ai.request.model': r.modelKey, 'gen_ai.usage.input_tokens': r.usage.promptTokens, 'gen_ai.usage.output_tokens': r.usage.completionTokens });
                meters.llmTokens(r.modelKey, 'input', r.usage.promptTokens);
                meters.llmTokens(r.modelKey, 'output', r.usage.completionTokens);
                return r.value;
              }));
            },
            llmText: async (messages, o) => {
              currentLabel = label;
              return timeline.call(step.name, async () => (await router.completeText(messages, { ...o, signal: controller.signal, onAttempt: afterAttempt(label) })).text);
            },
          };
          const t0 = performance.now();
          return withSpan(`step ${step.name}`, { 'planexe.step': label, 'planexe.plan_id': key.planId }, () => step.run(ctx)).finally(() =>
            meters.stepDuration(label, (performance.now() - t0) / 1000),
          );
        },
        onStepDone: async (step, out) => {
          const enc: Record<string, Uint8Array> = {};
          for (const [n, v] of Object.entries(out)) enc[n] = bytes(v);
          await this.persist(key, stepLabel(step.name), enc, files, runDir, controller.signal);
        },
      }, controller.signal);
      // the bound on wall time that the graph allows: its longest chain of model time (benchmarks compare with it)
      const path = criticalPath(this.d.steps, (name) => timeline.llmMs(name));
      log.info({ plan_id: key.planId, critical_path_ms: Math.round(path.ms), critical_path: path.steps.join(' > ') }, 'step graph critical path');

      await sideWrites;
      const overview = activity.overview();
      await this.persist(key, 'Activity', { 'activity_overview.json': bytes(JSON.stringify(overview, null, 2)) }, files, runDir, controller.signal);
      const report = files.get('report.html');
      const outcome: Outcome = report
        ? { state: 'completed', stepsTotal: this.d.expected.length }
        : { state: 'failed', failureReason: 'internal_error', failedStep: currentLabel, errorMessage: 'The pipeline ended without a report.', recoverable: false };
      await this.finish(key, outcome, files, report ? text(report) : null, overview, row, activity);
    } catch (err) {
      await sideWrites;
      await this.fail(key, err, files, currentLabel, row, activity);
    } finally {
      clearInterval(beat);
      this.active.delete(key.planId);
      await heartbeatWorker(db, s.workerId, null).catch(() => {});
    }
  }

  /** A step's outputs and the progress they make, in one transaction; waits out a Postgres outage. */
  private async persist(key: RunKey, label: string, out: Record<string, Uint8Array>, files: Map<string, Buffer>, runDir: string | null, signal: AbortSignal) {
    const progressFiles = new Set([...files.keys(), ...Object.keys(out)]);
    const row = await this.whileDown(() => persistStep(this.d.db, key, label, out, computeProgress(progressFiles, this.d.expected, label), this.d.settings.workerId), key, signal);
    for (const [n, v] of Object.entries(out)) files.set(n, Buffer.from(v));
    this.publish(row);
    if (runDir) {
      // the run dir is a cache and debugging aid; Postgres already holds the files
      await Promise.all(Object.entries(out).map(([n, v]) => writeFile(join(runDir, n), v).catch(() => {})));
    }
  }

  private async finish(key: RunKey, outcome: Outcome, files: Map<string, Buffer>, reportHtml: string | null, overview: unknown, row: PlanStatusRow, activity: ActivityLog) {
    const { db, settings: s, log } = this.d;
    const zip = buildZip(files);
    const final = await this.whileDown(() => finishRun(db, key, outcome, { reportHtml, zip, activityOverview: overview, trackActivity: activity.jsonl() }), key, this.closing.signal);
    if (!final) {
      log.info({ plan_id: key.planId }, 'run superseded before its final write');
      return;
    }
    this.publish(final);
    meters.planTransition(outcome.state);
    const succeeded = outcome.state === 'completed';
    await insertEvent(db, succeeded ? 'TASK_COMPLETED' : 'TASK_FAILED', succeeded ? 'Processing -> Completed' : outcome.state === 'stopped' ? 'Processing -> Stopped' : 'Processing -> Failed', {
      task_id: key.planId,
      worker_id: s.workerId,
      attempt: key.attempt,
    }).catch(() => {});
    // billing after the state is written is best-effort: it never changes the plan's state
    await chargeFinalUsage(db, {
      planId: key.planId,
      userId: row.user_id,
      apiKeyId: row.api_key_id,
      totalCostUsd: activity.totalCost(),
      successFeeUsd: succeeded ? s.successFeeUsd : 0,
      creditPriceCents: s.creditPriceCents,
      succeeded,
    }).catch((e) => log.error({ plan_id: key.planId, err: String(e) }, 'final billing failed'));
  }

  private async fail(key: RunKey, err: unknown, files: Map<string, Buffer>, label: string | null, row: PlanStatusRow, activity: ActivityLog) {
    const cause = err instanceof StepFailed ? err.cause : err;
    const reason = (e: unknown): unknown => (e instanceof StepFailed ? reason(e.cause) : e);
    const root = reason(cause);
    const aborted = this.active.get(key.planId)?.controller.signal.reason;
    if (root instanceof RunSuperseded || aborted instanceof RunSuperseded) return;
    // an outage is never the plan's failure: leave it processing and claimed; the job comes again with backoff
    if (isDependencyDown(root) && !(aborted instanceof StopRequested)) throw new RunInterrupted(root);
    let stopped: boolean;
    try {
      stopped = root instanceof StopRequested || aborted instanceof StopRequested || (await this.isStopped(key));
    } catch (e) {
      if (isDependencyDown(e)) throw new RunInterrupted(e);
      throw e;
    }
    if (stopped) {
      await this.finish(key, { state: 'stopped' }, files, null, activity.overview(), row, activity);
      return;
    }
    if (root instanceof VersionMismatch) {
      const msg = `Not resumable: version mismatch (v${String(root.stored)} vs v${PIPELINE_VERSION}), use Retry.`;
      await this.finish(key, { state: 'failed', failureReason: 'version_mismatch', failedStep: row.current_step, errorMessage: msg, recoverable: false }, files, null, null, row, activity);
      return;
    }
    if (aborted) throw aborted; // shutdown: leave the plan processing; the job is redelivered and taken over
    const failedStep = err instanceof StepFailed ? stepLabel(err.step.name) : label;
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
    this.d.log.warn({ plan_id: key.planId, step: failedStep, err: outcome.state === 'failed' ? outcome.errorMessage : '' }, 'plan failed');
    await this.finish(key, outcome, files, null, activity.overview(), row, activity);
  }

  /** A database write that must happen: retried while Postgres is down, until the run is aborted or the worker stops. */
  private whileDown<T>(fn: () => Promise<T>, key: RunKey, signal: AbortSignal): Promise<T> {
    const both = AbortSignal.any([signal, this.closing.signal]);
    return retryWhileDown(fn, {
      signal: both,
      onOutage: (err, tries) => {
        if (tries === 1) this.d.log.warn({ plan_id: key.planId, err: err instanceof Error ? err.message : String(err) }, 'database down; the write waits for it');
      },
    });
  }

  private async isStopped(key: RunKey): Promise<boolean> {
    const r = await this.d.db.selectFrom('plans').select(['state', 'attempt']).where('id', '=', key.planId).executeTakeFirst();
    return r?.state === 'stopped' && r.attempt === key.attempt;
  }
}

class VersionMismatch extends Error {
  constructor(readonly stored: unknown) {
    super('pipeline version mismatch');
  }
}

/** The user zip: every run file except the internal activity log (spec/artifacts.md §4). */
export function buildZip(files: Map<string, Buffer>): Uint8Array {
  const z: Zippable = {};
  for (const [n, v] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (n === 'track_activity.jsonl' || n === 'log.txt') continue;
    z[n] = [v, { level: 6 }];
  }
  return zipSync(z);
}
