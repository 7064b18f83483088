/** The plan view as one self-contained HTML document (buildView.mjs). */
export function buildViewHtml(): Promise<string>;
