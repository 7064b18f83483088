import { inputRequired, inputResponse } from '@modelcontextprotocol/server';
import type { SurfacePrompt, SurfaceResource, SurfaceTemplate } from './surface.ts';

/** A 1×1 red PNG, the suite's "minimal test image". */
export const RED_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

/** A valid WAV of a few silent 8 kHz mono samples, the suite's "minimal test audio". */
export const TINY_WAV = (() => {
  const samples = 8;
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples * 2, 40);
  return b.toString('base64');
})();

const user = (content: Record<string, unknown>) => ({ role: 'user', content });

export function fixturePrompts(): SurfacePrompt[] {
  return [
    {
      definition: { name: 'test_simple_prompt', description: 'A simple prompt without arguments' },
      get: async () => ({ messages: [user({ type: 'text', text: 'This is a simple prompt for testing.' })] }),
    },
    {
      definition: {
        name: 'test_prompt_with_arguments',
        description: 'A prompt with two required arguments',
        arguments: [
          { name: 'arg1', description: 'First test argument', required: true },
          { name: 'arg2', description: 'Second test argument', required: true },
        ],
      },
      get: async (a) => ({ messages: [user({ type: 'text', text: `Prompt with arguments: arg1='${a.arg1}', arg2='${a.arg2}'` })] }),
    },
    {
      definition: {
        name: 'test_prompt_with_embedded_resource',
        description: 'A prompt embedding a resource',
        arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
      },
      get: async (a) => ({
        messages: [
          user({ type: 'resource', resource: { uri: a.resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } }),
          user({ type: 'text', text: 'Please process the embedded resource above.' }),
        ],
      }),
    },
    {
      definition: { name: 'test_prompt_with_image', description: 'A prompt with an image' },
      get: async () => ({
        messages: [user({ type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' }), user({ type: 'text', text: 'Please analyze the image above.' })],
      }),
    },
    {
      definition: { name: 'test_input_required_result_prompt', description: 'A prompt that first asks for context' },
      get: async (_a, ctx) => {
        const r = inputResponse(ctx.mcpReq.inputResponses, 'user_context');
        if (r.kind === 'missing') {
          const ask = inputRequired.elicit({
            message: 'What context should the prompt use?',
            requestedSchema: { type: 'object', properties: { context: { type: 'string' } }, required: ['context'] },
          });
          return inputRequired({ inputRequests: { user_context: ask } }) as never;
        }
        const context = r.kind === 'elicit' ? String(r.content?.context ?? '') : '';
        return { messages: [user({ type: 'text', text: `Use this context: ${context}` })] };
      },
    },
  ];
}

export function fixtureResources(): SurfaceResource[] {
  const textResource = (uri: string, name: string, body: string): SurfaceResource => ({
    definition: { uri, name, description: name, mimeType: 'text/plain' },
    read: async () => ({ contents: [{ uri, mimeType: 'text/plain', text: body }] }),
  });
  return [
    textResource('test://static-text', 'Static text resource', 'This is the content of the static text resource.'),
    {
      definition: { uri: 'test://static-binary', name: 'Static binary resource', description: 'A PNG image', mimeType: 'image/png' },
      read: async () => ({ contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: RED_PIXEL_PNG }] }),
    },
    textResource('test://watched-resource', 'Watched resource', 'A resource clients may subscribe to.'),
  ];
}

export function fixtureTemplates(): SurfaceTemplate[] {
  return [
    {
      definition: { uriTemplate: 'test://template/{id}/data', name: 'Template resource', description: 'Data for an id', mimeType: 'application/json' },
      match: (uri) => {
        const m = /^test:\/\/template\/([^/]+)\/data$/.exec(uri);
        return m ? { id: decodeURIComponent(m[1]) } : undefined;
      },
      read: async (uri, v) => ({
        contents: [{ uri, mimeType: 'application/json', text: JSON.stringify({ id: v.id, templateTest: true, data: `Data for ID: ${v.id}` }) }],
      }),
    },
  ];
}
