import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PIPELINE_VERSION, type PlanJob } from '@planexe/contracts';
import { isRunStopped, loadRunFiles, PlanStore, type Db, type Outcome, type RunKey } from '@planexe/db';
import type { ProgressBus } from '@planexe/infra';
import { meters, withSpan, withSpanFrom, type Logger } from '@planexe/telemetry';
import { executeGraph } from './executor.ts';
import { computeProgress } from './progress.ts';
import { inputFiles, speedFromParameters, startDateFrom } from './runContext.ts';
import { stepLabel, type StepDef } from './stepTypes.ts';
import { stepContext } from './stepContext.ts';
import { ActivityLog } from './activityLog.ts';
import { retryWhileDown } from './outageRetry.ts';
import { RunLease, type LeaseSettings } from './runLease.ts';
import { RunModels, type ModelSettings } from './runModels.ts';
import { RunOutcome, type RunRecord } from './runOutcome.ts';
import { StopRequested, VersionMismatch } from './runErrors.ts';
import { criticalPath, StepTimeline } from './criticalPath.ts';

export { RunInterrupted, StopRequested } from './runErrors.ts';

export interface RunnerSettings extends LeaseSettings, ModelSettings {
  runDir: string;
  creditPriceCents: number;
  successFeeUsd: number;
}

export interface RunnerDeps {
  db: Db;
  bus: ProgressBus;
  log: Logger;
  steps: StepDef[];
  expected: string[];
  settings: RunnerSettings;
  /** Where the run's writes go and are announced; default: a store publishing on `bus`. */
  store?: PlanStore;
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const bytes = (v: string | Uint8Array) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

/** Runs one plan attempt end to end. Resolves when the run has reached its final state (or was superseded). */
export class PlanRunner {
  private active = new Map<string, { attempt: number; controller: AbortController }>();
  /** Aborted on shutdown: ends the waits for a dependency to come back. */
  private readonly closing = new AbortController();
  /** Where the run's writes go and are announced (the reaper's too). */
  readonly store: PlanStore;
  private readonly outcome: RunOutcome;

  constructor(private readonly d: RunnerDeps) {
    this.store = d.store ?? new PlanStore(d.db, { snapshots: d.bus, onPublishFailed: (planId, err) => d.log.warn({ plan_id: planId, err: String(err) }, 'snapshot not published') });
    this.outcome = new RunOutcome({ store: this.store, log: d.log, settings: d.settings, whileDown: (fn, planId, signal) => this.whileDown(fn, planId, signal) });
  }

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

  /** Runs the job inside a span that continues the trace of the plan_create / retry / resume that queued it. */
  run(job: PlanJob): Promise<void> {
    return withSpanFrom(job.trace, 'plan.run', { 'planexe.plan_id': job.plan_id, 'planexe.attempt': job.attempt }, () => this.runJob(job));
  }

  /** Lease, steps, outcome: the run holds its claim while the steps run, and ends in exactly one outcome. */
  private async runJob(job: PlanJob): Promise<void> {
    const key: RunKey = { planId: job.plan_id, attempt: job.attempt, workerId: this.d.settings.workerId };
    // a re-feed of a plan this process is running already: the run in progress is the live one
    if (this.active.has(key.planId)) return;
    const lease = await RunLease.claim(this.store, this.d.settings, this.d.log, key);
    if (!lease) return;
    this.active.set(key.planId, { attempt: key.attempt, controller: lease.controller });
    await lease.start();
    const run: RunRecord & { models?: RunModels } = { files: new Map(), label: null, activity: new ActivityLog() };
    try {
      await this.runSteps(lease, run);
      const overview = run.activity.overview();
      await this.persist(lease, run, 'Activity', { 'activity_overview.json': bytes(JSON.stringify(overview, null, 2)) });
      const report = run.files.get('report.html');
      const outcome: Outcome = report
        ? { state: 'completed', stepsTotal: this.d.expected.length }
        : { state: 'failed', failureReason: 'internal_error', failedStep: run.label, errorMessage: 'The pipeline ended without a report.', recoverable: false };
      await this.outcome.finish(lease, outcome, run, report ? text(report) : null, overview);
    } catch (err) {
      await run.models?.settled();
      await this.outcome.fail(lease, err, run);
    } finally {
      this.active.delete(key.planId);
      await lease.release();
    }
  }

  /** The run's input files, then every step not done yet; returns with the side writes of its LLM calls settled. */
  private async runSteps(lease: RunLease, run: RunRecord & { models?: RunModels }): Promise<void> {
    const { key, row } = lease;
    const params = row.parameters;
    run.files = await loadRunFiles(this.store.db, key.planId);
    await mkdir(join(this.d.settings.runDir, key.planId), { recursive: true });
    const meta = run.files.get('planexe_metadata.json');
    if (params.resume && meta && JSON.parse(text(meta)).pipeline_version !== PIPELINE_VERSION) {
      throw new VersionMismatch(JSON.parse(text(meta)).pipeline_version);
    }
    const start = startDateFrom(params);
    const initial: Record<string, Uint8Array> = {};
    for (const [n, v] of Object.entries(inputFiles(row.prompt, start))) initial[n] = bytes(v);
    initial['planexe_metadata.json'] = bytes(JSON.stringify({ pipeline_version: PIPELINE_VERSION }));
    initial['expected_filenames.json'] = bytes(JSON.stringify(this.d.expected, null, 2));
    // a takeover or resume keeps the run's inputs as first written (start_time.json is the original start)
    for (const n of Object.keys(initial)) if (run.files.has(n)) delete initial[n];
    await this.persist(lease, run, 'Start Time', initial, false);

    const models = (run.models = new RunModels({ ...this.d, store: this.store, isStopped: () => isRunStopped(this.store.db, key) }, lease, run.activity, (label) =>
      computeProgress(run.files.keys(), this.d.expected, label),
    ));
    const speed = speedFromParameters(params);
    const base = { planId: key.planId, prompt: row.prompt, startDate: start, speed, signal: lease.signal, has: (n: string) => run.files.has(n) };
    const timeline = new StepTimeline();
    await executeGraph(this.d.steps, models.luigiWorkers, {
      isDone: (step) => step.outputs.every((o) => run.files.has(o)),
      runStep: (step) => {
        const label = stepLabel(step.name);
        run.label = label;
        const raw = models.forStep(label, () => (run.label = label));
        // model time per step, for the critical path below
        const llm: typeof raw = {
          llmJson: (schema, messages, o) => timeline.call(step.name, () => raw.llmJson(schema, messages, o)),
          llmText: (messages, o) => timeline.call(step.name, () => raw.llmText(messages, o)),
        };
        const ctx = stepContext({ ...base, ...llm }, (n) => {
          const b = run.files.get(n);
          return b && text(b);
        });
        const t0 = performance.now();
        return withSpan(`step ${step.name}`, { 'planexe.step': label, 'planexe.plan_id': key.planId }, () => step.run(ctx)).finally(() =>
          meters.stepDuration(label, (performance.now() - t0) / 1000),
        );
      },
      onStepDone: async (step, out) => {
        const enc: Record<string, Uint8Array> = {};
        for (const [n, v] of Object.entries(out)) enc[n] = bytes(v);
        await this.persist(lease, run, stepLabel(step.name), enc);
      },
    }, lease.signal);
    // the bound on wall time that the graph allows: its longest chain of model time (benchmarks compare with it)
    const path = criticalPath(this.d.steps, (name) => timeline.llmMs(name));
    this.d.log.info({ plan_id: key.planId, critical_path_ms: Math.round(path.ms), critical_path: path.steps.join(' > ') }, 'step graph critical path');
    await models.settled();
  }

  /** A step's outputs and the progress they make, in one transaction; waits out a Postgres outage. */
  private async persist(lease: RunLease, run: RunRecord, label: string, out: Record<string, Uint8Array>, toRunDir = true) {
    const { key } = lease;
    const progress = computeProgress(new Set([...run.files.keys(), ...Object.keys(out)]), this.d.expected, label);
    await this.whileDown(() => this.store.persistStep(key, label, out, progress, this.d.settings.workerId), key.planId, lease.signal);
    for (const [n, v] of Object.entries(out)) run.files.set(n, Buffer.from(v));
    if (toRunDir) {
      // the run dir is a cache and debugging aid; Postgres already holds the files
      const dir = join(this.d.settings.runDir, key.planId);
      await Promise.all(Object.entries(out).map(([n, v]) => writeFile(join(dir, n), v).catch(() => {})));
    }
  }

  /** A database write that must happen: retried while Postgres is down, until the run is aborted or the worker stops. */
  private whileDown<T>(fn: () => Promise<T>, planId: string, signal?: AbortSignal): Promise<T> {
    return retryWhileDown(fn, {
      signal: signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal,
      onOutage: (err, tries) => {
        if (tries === 1) this.d.log.warn({ plan_id: planId, err: err instanceof Error ? err.message : String(err) }, 'database down; the write waits for it');
      },
    });
  }
}
