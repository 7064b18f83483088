/** Server instructions sent in `initialize` (spec/tools.md §12.1). Tested substrings are kept verbatim. */
export const SERVER_INSTRUCTIONS = [
  'PlanExe turns a natural-language prompt into a strategic project-plan draft: a self-contained interactive HTML report ' +
    '(about 700 KB) with 20+ sections, including adversarial ones (premise attack, premortem, self audit). Treat it as a ' +
    'draft to refine, not as ground truth.',
  'Use it for substantial multi-phase projects, not for tiny one-shot outputs such as a 5-point checklist. The pipeline ' +
    'always runs end to end.',
  'Required order: example_plans (optional) -> example_prompts -> model_profiles (optional) -> draft a 300-800 word prose ' +
    'prompt (objective, scope, constraints, timeline, stakeholders, budget/resources, success criteria) without a tool and ' +
    'get the user\'s approval -> plan_create.',
  'Each plan_create call makes a new plan_id, except that an identical prompt and profile from the same caller while the ' +
    'first is still pending/processing returns that plan (deduplicated=true). There is no server-side cap on concurrent plans.',
  'Poll plan_status about every 5 minutes, or pass wait_seconds (up to 50) to be answered on the next change instead; it ' +
    'is the primary progress source. Optionally run `curl -N <sse_url>` as a ' +
    'completion detector: it closes on completed/failed/stopped. When the plan is completed call plan_file_info.',
  'On failure: plan_resume continues without discarding finished work; plan_retry restarts from scratch. Both take the ' +
    'plan_id and an optional model_profile (default baseline). plan_stop is asynchronous and leads to stopped.',
  'If model_profiles returns MODEL_PROFILES_UNAVAILABLE, tell the user that an administrator must configure models.',
  'Errors have the shape {error:{code,message}}. plan_file_info returns {ready:false,reason:...} until the artifact is ' +
    'ready; check for download_url, which is an absolute URL.',
  'plan_list lists recent plans with plan_id, state, progress_percentage, created_at and prompt_excerpt.',
  'State contract: pending/processing = keep polling; completed = download the report; failed = see the error and use ' +
    'plan_resume when recoverable, else plan_retry; stopped = stopped by the user, consider plan_resume.',
  'Troubleshooting: a plan pending for longer than 5 minutes was not picked up by a worker; a plan processing with no file ' +
    'changes for longer than 20 minutes has stalled (plan_stop, then plan_retry). Report problems at ' +
    'https://github.com/PlanExeOrg/PlanExe/issues .',
  'Outputs: the HTML report, and a zip of every intermediate md/json/csv file.',
  'Use send_feedback for problems or observations at any time; it is fire-and-forget.',
  'Plans are private: only the API key owner that created a plan can see or change it. New users get an account and key ' +
    'at https://home.planexe.org/ .',
].join('\n\n');

export const SERVER_NAME = 'planexe-mcp-server';
export const STDIO_SERVER_NAME = 'planexe-mcp-cloud';
export const SERVER_VERSION = '1.0.1';
export const SERVICE_TITLE = 'PlanExe – AI Project Planning';

export interface McpPromptDefinition {
  name: string;
  description: string;
  arguments: { name: string; description: string; required: boolean }[];
  render(args: Record<string, string | undefined>): string;
}

export const MCP_PROMPTS: McpPromptDefinition[] = [
  {
    name: 'getting_started',
    description: 'Quick-start guide for creating a plan with PlanExe.',
    arguments: [],
    render: () =>
      [
        'Quick start for PlanExe:',
        '1. Call example_prompts to see what a good prompt looks like; optionally call model_profiles.',
        '2. Draft a 300-800 word prompt in flowing prose covering objective, scope, constraints, timeline, stakeholders, budget and success criteria.',
        '3. Show the draft to the user and iterate until they approve it.',
        '4. Call plan_create with the approved prompt.',
        '5. Poll plan_status about every 5 minutes until the state is completed, failed or stopped.',
        '6. Call plan_file_info to get the report URL and share it.',
        'The report covers an executive summary, a Gantt schedule, risks and assumptions, SWOT, team, governance, a work breakdown, a pitch, a premortem and a self audit.',
      ].join('\n'),
  },
  {
    name: 'plan_a_project',
    description: 'Drafts a plan for a topic and walks the agent through the PlanExe workflow.',
    arguments: [
      { name: 'topic', description: 'What the project is about.', required: true },
      { name: 'location', description: 'Optional location or region.', required: false },
    ],
    render: (args) => {
      const lines = [`Plan a project about: ${args.topic ?? ''}`];
      if (args.location && args.location.trim()) lines.push(`Location/region: ${args.location}`);
      lines.push(
        '1. Call example_prompts and read the samples.',
        '2. Expand the topic into a 300-800 word prose prompt covering objective, scope, constraints, timeline, stakeholders, budget/resources and success criteria.',
        '3. Ask the user to approve the prompt.',
        '4. Call plan_create with the approved prompt.',
        '5. Poll plan_status every 5 minutes (a plan takes about 10-20 minutes).',
        '6. Call plan_file_info with artifact "report" and share the download URL.',
      );
      return lines.join('\n');
    },
  },
];
