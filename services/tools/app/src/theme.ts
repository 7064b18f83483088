/** The host's theme and style variables (ext-apps host context) applied to the view. */
import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps';

export function applyHostContext(ctx: McpUiHostContext): void {
  const root = document.documentElement;
  if (ctx.theme === 'light' || ctx.theme === 'dark') {
    root.dataset.theme = ctx.theme;
    root.style.colorScheme = ctx.theme;
  }
  const vars = ctx.styles?.variables ?? {};
  for (const [name, value] of Object.entries(vars)) {
    // only the host's design tokens, as CSS custom properties; our stylesheet falls back to its own
    if (name.startsWith('--') && typeof value === 'string') root.style.setProperty(name, value);
  }
}
