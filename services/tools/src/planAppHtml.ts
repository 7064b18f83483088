/**
 * The plan view's HTML document. scripts/build.mjs replaces this module in the production bundle with the document
 * it built (so the image needs no esbuild); under tsx and vitest the document is built here on first use, from the
 * same builder (services/tools/app/buildView.mjs).
 */
let built: Promise<string> | undefined;

export function loadPlanAppHtml(): Promise<string> {
  built ??= import('../app/buildView.mjs').then((m) => m.buildViewHtml());
  return built;
}
