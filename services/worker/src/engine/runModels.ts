import type { LlmProfileSettings, LlmEntry } from '@planexe/config';
import { normaliseModelProfile } from '@planexe/contracts';
import { recordTokenMetric, RunSuperseded, type PlanStore, type Progress, type RunKey } from '@planexe/db';
import { ModelRouter, modelListForRun, modelsForProfile, type LlmAttempt, type ModelRouterOptions } from '@planexe/llm';
import { meters, withSpan, type Logger } from '@planexe/telemetry';
import type { StepContextBase } from './stepContext.ts';
import type { ActivityLog } from './activityLog.ts';
import type { RunLease } from './runLease.ts';
import { StopRequested } from './runErrors.ts';

export interface ModelSettings {
  workerId: string;
  profiles: LlmProfileSettings;
  env?: Record<string, string | undefined>;
  routerOptions?: Pick<ModelRouterOptions, 'retryBaseDelayMs' | 'retryMaxDelayMs' | 'maxRetries'>;
  /** Local models found at start-up (standalone), added to the baseline profile. */
  localEntries?: LlmEntry[];
}

export interface RunModelsDeps {
  store: PlanStore;
  log: Logger;
  settings: ModelSettings;
  /** Whether plan_stop stopped this attempt (a run that lost its claim tells a stop from a takeover). */
  isStopped(): Promise<boolean>;
}

/**
 * The run's model list (its profile's, else baseline's) and what follows every LLM attempt: the token metric and a
 * progress write, queued in order off the step's critical path (the spec's progress callback).
 */
export class RunModels {
  private readonly router: ModelRouter;
  private sideWrites: Promise<void> = Promise.resolve();

  constructor(
    private readonly d: RunModelsDeps,
    private readonly lease: RunLease,
    activity: ActivityLog,
    /** The progress of the files committed so far, at a step. */
    private readonly progress: (label: string) => Progress,
  ) {
    const s = d.settings;
    const profile = normaliseModelProfile(lease.row.parameters.model_profile ?? lease.row.parameters.llm_profile);
    const source = { settings: s.profiles, env: s.env, local: s.localEntries };
    const chosen = modelsForProfile(profile, source);
    // a profile without a file runs on baseline's models
    const models = chosen.file ? chosen : modelsForProfile('baseline', source);
    this.router = new ModelRouter(modelListForRun(models.entries), { env: s.env, ...s.routerOptions, onAttempt: (a: LlmAttempt) => activity.add(a) });
  }

  get luigiWorkers(): number {
    return this.router.luigiWorkers();
  }

  /** Waits for the queued metric and progress writes. */
  settled(): Promise<void> {
    return this.sideWrites;
  }

  /** A step's LLM calls; `onCall` marks the step as the run's current one. */
  forStep(label: string, onCall: () => void): Pick<StepContextBase, 'llmJson' | 'llmText'> {
    const signal = this.lease.signal;
    const onAttempt = (a: LlmAttempt) => this.afterAttempt(label, a);
    return {
      llmJson: async (schema, messages, o) => {
        onCall();
        return withSpan('llm.chat', { 'planexe.step': label }, async (span) => {
          const r = await this.router.completeJson(schema, messages, { ...o, signal, onAttempt });
          span.setAttributes({ 'gen_ai.request.model': r.modelKey, 'gen_ai.usage.input_tokens': r.usage.promptTokens, 'gen_ai.usage.output_tokens': r.usage.completionTokens });
          meters.llmTokens(r.modelKey, 'input', r.usage.promptTokens);
          meters.llmTokens(r.modelKey, 'output', r.usage.completionTokens);
          return r.value;
        });
      },
      llmText: async (messages, o) => {
        onCall();
        return (await this.router.completeText(messages, { ...o, signal, onAttempt })).text;
      },
    };
  }

  /** Every failure is handled inside: the chain is awaited only at the end of the run. A run found gone is aborted. */
  private afterAttempt(label: string, a: LlmAttempt): void {
    const { store, log, settings: s } = this.d;
    const { key, row } = this.lease;
    this.sideWrites = this.sideWrites.then(async () => {
      await recordTokenMetric(store.db, tokenMetric(key, row, label, a)).catch(() => {});
      try {
        // computed from the files committed so far; the database keeps the larger of this and what it has
        await store.progress(key, this.progress(label), s.workerId);
      } catch (e) {
        if (e instanceof RunSuperseded) {
          const stopped = await this.d.isStopped().catch(() => false);
          this.lease.controller.abort(stopped ? new StopRequested() : e);
        } else {
          // progress between steps is advisory; the next step's persist writes it again (and waits out an outage)
          log.warn({ plan_id: key.planId, err: e instanceof Error ? e.message : String(e) }, 'progress not written');
        }
      }
    });
  }
}

function tokenMetric(key: RunKey, row: RunLease['row'], label: string, a: LlmAttempt) {
  return {
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
  };
}
