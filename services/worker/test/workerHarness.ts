import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { insertPlan, type Db } from '@planexe/db';
import { MemoryBus } from '@planexe/infra';
import { silentLogger } from '@planexe/telemetry';
import type { FakeLlm } from '@planexe/testing';
import { PlanRunner, type RunnerSettings } from '../src/engine/planRunner.ts';
import type { StepDef } from '../src/engine/stepTypes.ts';

/** A config dir whose baseline profile points at the fake LLM (upstream file format, ${ENV} key). */
export function fakeProfileDir(fake: FakeLlm, opts: { luigiWorkers?: number; timeoutSeconds?: number } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'planexe-cfg-'));
  mkdirSync(join(dir, 'llm_config'));
  const entry = (model: string, priority: number) => ({
    class: 'OpenAILike',
    arguments: { model, api_base: fake.url, api_key: '${FAKE_LLM_KEY}', temperature: 0.1, timeout: opts.timeoutSeconds ?? 30 },
    priority,
    luigi_workers: opts.luigiWorkers ?? 2,
    pricing: { input_per_million_tokens: 1, output_per_million_tokens: 2 },
  });
  writeFileSync(join(dir, 'llm_config', 'baseline.json'), JSON.stringify({ 'fake-primary': entry('fake-model', 1), 'fake-backup': entry('fake-backup', 2) }));
  return dir;
}

export function runnerSettings(configDir: string, workerId = 'w-test'): RunnerSettings {
  return {
    workerId,
    runDir: mkdtempSync(join(tmpdir(), 'planexe-run-')),
    profiles: { PLANEXE_CONFIG_PATH: configDir, PLANEXE_LLM_CONFIG_CUSTOM_FILENAME: 'custom.json' },
    creditPriceCents: 100,
    successFeeUsd: 1,
    staleSeconds: 30,
    heartbeatMs: 200,
    env: { FAKE_LLM_KEY: 'k' },
    routerOptions: { retryBaseDelayMs: 5, retryMaxDelayMs: 20 },
  };
}

const Answer = z.object({ summary: z.string(), points: z.array(z.string()).min(1) });

/** A small graph with the shape of the real one: parallel branches, a report, the completion marker. */
export function syntheticSteps(runs: Record<string, number>, failOnce: Set<string> = new Set()): StepDef[] {
  const llmStep = (name: string, deps: string[]): StepDef => ({
    name,
    deps,
    llm: true,
    outputs: [`${name.toLowerCase()}_raw.json`, `${name.toLowerCase()}.md`],
    run: async (ctx) => {
      runs[name] = (runs[name] ?? 0) + 1;
      if (failOnce.delete(name)) throw new Error(`${name} exploded`);
      const v = await ctx.llmJson(Answer, [{ role: 'user', content: `${name}: ${ctx.prompt}` }]);
      return { [`${name.toLowerCase()}_raw.json`]: JSON.stringify(v), [`${name.toLowerCase()}.md`]: `# ${name}\n${v.summary}` };
    },
  });
  return [
    { name: 'Setup', deps: [], llm: false, outputs: ['plan.txt'], run: async (ctx) => ((runs.Setup = (runs.Setup ?? 0) + 1), { 'plan.txt': `Plan:\n${ctx.prompt}` }) },
    llmStep('IdentifyPurpose', ['Setup']),
    llmStep('IdentifyRisks', ['IdentifyPurpose']),
    llmStep('SWOTAnalysis', ['IdentifyPurpose']),
    {
      name: 'Report',
      deps: ['IdentifyRisks', 'SWOTAnalysis'],
      llm: false,
      outputs: ['report.html', 'report.md'],
      run: async (ctx) => {
        runs.Report = (runs.Report ?? 0) + 1;
        return { 'report.html': `<html><body>${ctx.read('swotanalysis.md').length}</body></html>`, 'report.md': '# Report' };
      },
    },
    { name: 'FullPlanPipeline', deps: ['Report'], llm: false, outputs: ['pipeline_complete.txt'], run: async () => ({ 'pipeline_complete.txt': 'Full pipeline executed successfully.\n' }) },
  ];
}

export function expectedOf(steps: StepDef[]): string[] {
  return [...new Set(['plan_raw.json', 'start_time.json', ...steps.flatMap((s) => s.outputs)])].sort();
}

export function makeRunner(db: Db, bus: MemoryBus, steps: StepDef[], settings: RunnerSettings): PlanRunner {
  return new PlanRunner({ db, bus, log: silentLogger(), steps, expected: expectedOf(steps), settings });
}

export async function newPlan(db: Db, prompt = 'Open a tool library in Aarhus', userId = 'admin') {
  return insertPlan(db, { prompt, userId, apiKeyId: null, parameters: { model_profile: 'baseline', pipeline_version: 2 } });
}
