import { escapeHtml } from './escapeHtml.ts';

/**
 * The opening of a self-contained HTML page the pipeline writes (the report, the schedule): its own Content
 * Security Policy (no network, inline style and script only), the viewport, the escaped title and the inline
 * style, up to and including `<body>`.
 */
export function htmlPageStart(o: { csp: string; title: string; style: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${o.csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
<style>${o.style}</style>
</head>
<body>
`;
}
