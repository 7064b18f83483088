import type { z } from 'zod';
import * as I from './toolInputs.ts';
import * as O from './toolOutputs.ts';
import { PLAN_APP_TOOL_META } from './planApp.ts';

export const TOOL_NAMES = [
  'example_plans',
  'example_prompts',
  'model_profiles',
  'plan_create',
  'plan_status',
  'plan_stop',
  'plan_retry',
  'plan_resume',
  'plan_file_info',
  'plan_list',
  'send_feedback',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** Tools callable without an API key even when auth is required (spec/http.md §3.2). */
export const PUBLIC_TOOLS: readonly ToolName[] = ['example_plans', 'example_prompts', 'model_profiles'];

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolDefinition {
  name: ToolName;
  description: string;
  input: z.ZodObject<any>;
  output: z.ZodObject<any>;
  annotations: ToolAnnotations;
  /** Error code used when the arguments fail validation. */
  validationErrorCode: 'INVALID_ARGUMENT' | 'INVALID_ARGUMENTS' | 'INVALID_FEEDBACK';
  /** tools/list `_meta`: the MCP App view the tool shows (planApp.ts), for hosts that render MCP Apps. */
  meta?: Record<string, unknown>;
}

const ann = (readOnlyHint: boolean, destructiveHint: boolean, idempotentHint: boolean, openWorldHint: boolean): ToolAnnotations => ({
  readOnlyHint,
  destructiveHint,
  idempotentHint,
  openWorldHint,
});

export interface CatalogOptions {
  /** PLANEXE_DOWNLOAD_TOKEN_TTL in seconds; the plan_file_info description names it in minutes. */
  downloadTokenTtlSeconds: number;
}

export function buildToolCatalog(opts: CatalogOptions): ToolDefinition[] {
  const ttlMinutes = Math.floor(opts.downloadTokenTtlSeconds / 60);
  return [
    {
      name: 'example_plans',
      description:
        'Lists finished example plans published on this server, each with a report URL (interactive HTML with collapsible ' +
        'sections and a Gantt chart) and a zip URL (every intermediate md/json/csv file). Use it when the user asks what ' +
        'PlanExe output looks like. No API key is required.',
      input: I.ExamplePlansInput,
      output: O.ExamplePlansOutput,
      annotations: ann(true, false, true, false),
      validationErrorCode: 'INVALID_ARGUMENT',
    },
    {
      name: 'example_prompts',
      description:
        'Call this first. Returns example plan prompts to use as a baseline. Do not call plan_create yet: optionally call ' +
        'model_profiles, then (without a tool) draft a detailed prompt of about 300-800 words in flowing prose - not ' +
        'headings or bullet lists - covering objective, scope, constraints, timeline, stakeholders, budget/resources and ' +
        'success criteria, with banned words or approaches and governance preferences woven in. Show it to the user and get ' +
        'approval before plan_create. PlanExe is not for tiny one-shot outputs; the pipeline always runs in full. No API key is required.',
      input: I.ExamplePromptsInput,
      output: O.ExamplePromptsOutput,
      annotations: ann(true, false, true, false),
      validationErrorCode: 'INVALID_ARGUMENT',
    },
    {
      name: 'model_profiles',
      description:
        'Optional helper before plan_create: lists the model profiles (baseline, premium, frontier, custom) with plain-language ' +
        'guidance and the models each holds, marking which are reachable now. Pass the chosen value as plan_create.model_profile. ' +
        'If no model is configured the answer is the error MODEL_PROFILES_UNAVAILABLE: tell the user an administrator must set ' +
        'up model profiles. No API key is required.',
      input: I.ModelProfilesInput,
      output: O.ModelProfilesOutput,
      annotations: ann(true, false, true, false),
      validationErrorCode: 'INVALID_ARGUMENT',
    },
    {
      name: 'plan_create',
      description:
        'Starts a new plan from the approved prompt and returns at once with a plan_id (UUID). Call it only after ' +
        'example_prompts and the user approval step. A plan takes about 10-20 minutes and yields a report with 20+ sections ' +
        '(executive summary, Gantt schedule, risks, assumptions, SWOT, team, governance, work breakdown, pitch, and adversarial ' +
        'sections such as premise attack, premortem and self audit). Use the plan_id with plan_status, plan_stop, plan_retry, ' +
        'plan_resume and plan_file_info. Poll plan_status about every 5 minutes, or run `curl -N <sse_url>` as a completion ' +
        'detector that closes on completed/failed/stopped. plan_list recovers a lost plan_id. The same prompt and profile ' +
        'from the same caller within a short window returns the existing plan with deduplicated=true. Call model_profiles ' +
        'if unsure which profile to use. Errors: INVALID_USER_API_KEY, USER_API_KEY_REQUIRED, INSUFFICIENT_CREDITS, ' +
        'NO_MODEL_AVAILABLE, INVALID_ARGUMENT.',
      input: I.PlanCreateInput,
      output: O.PlanCreateOutput,
      annotations: ann(false, false, true, true),
      validationErrorCode: 'INVALID_ARGUMENT',
      meta: PLAN_APP_TOOL_META,
    },
    {
      name: 'plan_status',
      description:
        'The primary progress source for a plan: poll about every 5 minutes (a baseline plan typically takes 10-20 minutes), ' +
        'or pass wait_seconds (up to 50) to wait for the next change instead of polling: the call then answers as soon as the ' +
        'state or progress changes, or when the time is up; with a progressToken it sends notifications/progress (steps ' +
        'done of total, current step) meanwhile. Concurrent waits count against the same per-address limit as SSE streams ' +
        '(SSE_CONNECTION_LIMIT when exceeded). ' +
        'State contract: pending/processing = keep polling; completed = the report is ready, call plan_file_info; failed = ' +
        'terminal, see error; stopped = stopped by the user, consider plan_resume. progress_percentage is 0-100 (100 when ' +
        'completed); steps differ in duration, so do not estimate time from it. steps_completed/steps_total count finished ' +
        'output files and current_step names the step that last reported. timing.last_progress_at helps to detect stalls: a ' +
        'gap of more than 10 minutes is a strong signal (fall back to files[].updated_at). files lists the latest 10 files and ' +
        'files_count the total. For failed plans error holds failure_reason (generation_error, worker_error, ' +
        'inactivity_timeout, internal_error, version_mismatch), failed_step, message and recoverable: true means call ' +
        'plan_resume, false means call plan_retry. Unknown ids give PLAN_NOT_FOUND. Troubleshooting: pending for >5 minutes ' +
        'means no worker picked it up; processing with no file changes for >20 minutes means it stalled - call plan_stop ' +
        'then plan_retry. Report problems at https://github.com/PlanExeOrg/PlanExe/issues or with send_feedback.',
      input: I.PlanStatusInput,
      output: O.PlanStatusOutput,
      annotations: ann(true, false, true, false),
      validationErrorCode: 'INVALID_ARGUMENT',
      meta: PLAN_APP_TOOL_META,
    },
    {
      name: 'plan_stop',
      description:
        'Stops a pending or processing plan: pass the plan_id from plan_create. The plan moves to stopped at once and the ' +
        'worker aborts its current step within seconds. For completed, failed or already stopped plans nothing changes and ' +
        'stop_requested is false. Unknown ids give PLAN_NOT_FOUND.',
      input: I.PlanStopInput,
      output: O.PlanStopOutput,
      annotations: ann(false, true, true, false),
      validationErrorCode: 'INVALID_ARGUMENT',
    },
    {
      name: 'plan_retry',
      description:
        'Restarts a failed or stopped plan from scratch under the same plan_id, optionally with another model_profile ' +
        '(default baseline). Earlier artifacts are cleared and the plan goes back to pending. Errors: PLAN_NOT_FOUND, ' +
        'PLAN_NOT_FAILED (the plan is not failed or stopped).',
      input: I.PlanRetryInput,
      output: O.PlanRetryOutput,
      annotations: ann(false, false, false, true),
      validationErrorCode: 'INVALID_ARGUMENT',
      meta: PLAN_APP_TOOL_META,
    },
    {
      name: 'plan_resume',
      description:
        'Resumes a failed or stopped plan without discarding finished work: it continues from the first incomplete step. ' +
        'Use it after interruptions (network, timeout, plan_stop, crash); use plan_retry for a full restart or a different ' +
        'profile. model_profile defaults to baseline. Errors: PLAN_NOT_FOUND, PLAN_NOT_RESUMABLE, PIPELINE_VERSION_MISMATCH.',
      input: I.PlanResumeInput,
      output: O.PlanResumeOutput,
      annotations: ann(false, false, false, true),
      validationErrorCode: 'INVALID_ARGUMENT',
      meta: PLAN_APP_TOOL_META,
    },
    {
      name: 'plan_file_info',
      description:
        'Download metadata for a plan artifact: artifact=report (default; a self-contained interactive HTML report of ' +
        'about 700 KB - open it in a browser) or artifact=zip (every intermediate md/json/csv file). While the output is not ' +
        'ready the answer is {ready:false, reason}; test readiness by the presence of download_url and present or fetch that ' +
        `absolute URL. URLs expire after ${ttlMinutes} minutes: call again for a fresh one. Terminal problems come back as ` +
        'error.code generation_failed or content_unavailable. Unknown ids give PLAN_NOT_FOUND.',
      input: I.PlanFileInfoInput,
      output: O.PlanFileInfoOutput,
      annotations: ann(true, false, true, false),
      validationErrorCode: 'INVALID_ARGUMENT',
      meta: PLAN_APP_TOOL_META,
    },
    {
      name: 'plan_list',
      description:
        'Lists your most recent plans, newest first (limit default 10, max 50), each with plan_id, state, ' +
        'progress_percentage, created_at and prompt_excerpt. Use it to recover a lost plan_id or review activity.',
      input: I.PlanListInput,
      output: O.PlanListOutput,
      annotations: ann(true, false, true, false),
      validationErrorCode: 'INVALID_ARGUMENTS',
    },
    {
      name: 'send_feedback',
      description:
        'Send feedback at any time; it never blocks. category: mcp (tools, SSE, status, workflow), plan (the generated ' +
        'files), code (source), docs, other. Optional plan_id and rating 1-5 (1 strong negative, 3 neutral, 5 strong ' +
        'positive). Especially useful for streams that close early, stale plan_status, slow queues and report quality; ' +
        'include plan ids, percentages and timestamps.',
      input: I.SendFeedbackInput,
      output: O.SendFeedbackOutput,
      annotations: ann(false, false, true, false),
      validationErrorCode: 'INVALID_FEEDBACK',
    },
  ];
}
