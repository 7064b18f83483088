import { z } from 'zod';
import { buildToolCatalog, inputJsonSchema, PlanFileInfoOutput, SERVER_INSTRUCTIONS, SERVER_VERSION, toolOutputJsonSchema } from '@planexe/contracts';

/** The TTL the hosted service uses; only plan_file_info's description depends on it, and it is not listed locally. */
const TTL = 900;

const PLAN_DOWNLOAD_DESCRIPTION =
  'Downloads a plan artifact and saves it on this computer: artifact=report (default; the self-contained interactive ' +
  'HTML report, about 700 KB - open it in a browser) or artifact=zip (every intermediate md/json/csv file). The file is ' +
  'saved under PLANEXE_PATH (default: the working directory) as <plan_id>-report.html or <plan_id>-run.zip; an existing ' +
  'file is never overwritten (a -1, -2, ... suffix is added) and the sha256 is checked against the server. Returns ' +
  'saved_path, content_type, sha256, download_size and download_url. While the artifact is not ready the answer is ' +
  '{ready:false, reason} and nothing is saved: poll plan_status. Errors: PLAN_NOT_FOUND, INVALID_ARGUMENT, ' +
  'REMOTE_ERROR (the PlanExe server could not be reached), DOWNLOAD_FAILED (the file could not be fetched, verified or saved).';

const LOCAL_ERRORS_PARAGRAPH =
  'Errors have the shape {error:{code,message}}. plan_download returns {ready:false,reason:...} until the artifact is ' +
  'ready; when it is, it saves the file under PLANEXE_PATH and returns saved_path. REMOTE_ERROR means the PlanExe server ' +
  'could not be reached; DOWNLOAD_FAILED means the file could not be fetched, verified or saved.';

/** The proxy's catalog: the cloud tools minus plan_file_info, plus plan_download in its place (spec/tools.md §9.1). */
export function buildLocalCatalog() {
  const local = (text: string) => text.replaceAll('plan_file_info', 'plan_download');
  const tools = buildToolCatalog({ downloadTokenTtlSeconds: TTL }).flatMap((d) => {
    if (d.name === 'plan_file_info') {
      return [
        {
          name: 'plan_download',
          description: PLAN_DOWNLOAD_DESCRIPTION,
          inputSchema: inputJsonSchema(d.input),
          outputSchema: toolOutputJsonSchema(PlanFileInfoOutput.extend({ saved_path: z.string().optional().describe('Absolute path of the saved file.') })),
          annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
        },
      ];
    }
    return [
      {
        name: d.name,
        description: local(d.description),
        inputSchema: inputJsonSchema(d.input),
        outputSchema: toolOutputJsonSchema(d.output),
        // the proxy cannot know whether the server deduplicates: plan_create is not idempotent here (spec §9.1)
        annotations: d.name === 'plan_create' ? { ...d.annotations, idempotentHint: false } : d.annotations,
      },
    ];
  });
  const paragraphs = SERVER_INSTRUCTIONS.split('\n\n').map((p) => (p.startsWith('Errors have the shape') ? LOCAL_ERRORS_PARAGRAPH : local(p)));
  return { serverVersion: SERVER_VERSION, instructions: paragraphs.join('\n\n'), tools };
}
