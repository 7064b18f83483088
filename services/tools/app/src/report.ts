/**
 * The report inside the view. The report is a complete HTML page with its own script; the view parses it inert
 * (DOMParser runs nothing), keeps only the sections and an allow-list of plain elements and attributes, and moves
 * them into its own document, so no script, handler, frame, form or outside URL of the report ever comes along.
 * Hand-written because the allow-list is short and a sanitizer library would cost the view's size budget.
 */
const ELEMENTS = new Set(
  (
    'section details summary div span p h2 h3 h4 h5 h6 ul ol li dl dt dd table thead tbody tfoot tr th td caption ' +
    'pre code blockquote em strong b i u s small sub sup br hr a abbr ' +
    'svg g rect line path text tspan title circle polyline polygon'
  ).split(' '),
);
const ATTRIBUTES = new Set(
  (
    'id open colspan rowspan scope aria-label href ' +
    'viewbox width height x y x1 y1 x2 y2 rx ry cx cy r d points fill stroke stroke-width font-size font-weight ' +
    'font-family text-anchor dominant-baseline transform opacity'
  ).split(' '),
);

function clean(node: Element): void {
  for (const child of [...node.children]) {
    if (!ELEMENTS.has(child.localName.toLowerCase())) {
      child.remove();
      continue;
    }
    for (const attr of [...child.attributes]) {
      const name = attr.name.toLowerCase();
      // links only to a place inside the report
      if (!ATTRIBUTES.has(name) || (name === 'href' && !attr.value.startsWith('#'))) child.removeAttribute(attr.name);
    }
    if (child.localName === 'svg') child.setAttribute('class', 'gantt');
    if (child.localName === 'svg') child.setAttribute('role', 'img');
    clean(child);
  }
}

/** The report's sections, cleaned, ready to append; ids are prefixed so they cannot clash with the view's own. */
export function reportSections(html: string): Element[] {
  // only the report's <main>, without style blocks: the parsed document is checked against the view's CSP, which
  // would log each <style> it refuses (the allow-list below drops them anyway)
  const start = html.indexOf('<main');
  const end = html.lastIndexOf('</main>');
  const body = (start >= 0 && end > start ? html.slice(start, end + 7) : html).replace(/<style[\s\S]*?<\/style\s*>/gi, '');
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${body}</body>`, 'text/html');
  // the interactive chart's controls need the report's script, which does not come along
  for (const el of doc.querySelectorAll('.gantt-controls')) el.remove();
  const sections = [...doc.querySelectorAll('main > section, body > section')];
  const root = doc.createElement('div');
  root.append(...sections);
  clean(root);
  for (const el of root.querySelectorAll('[id]')) el.id = `r-${el.id}`;
  for (const a of root.querySelectorAll('a[href^="#"]')) a.setAttribute('href', `#r-${a.getAttribute('href')?.slice(1)}`);
  // the report's section headings are h2 inside <summary>; the view's report heading is h2 too, so they step down
  for (const h of root.querySelectorAll('summary h2')) {
    const h3 = doc.createElement('h3');
    h3.append(...h.childNodes);
    h.replaceWith(h3);
  }
  // a section's body scrolls sideways for wide tables and the chart: keyboard users must reach it too
  for (const body of root.querySelectorAll('details > div')) body.setAttribute('tabindex', '0');
  // sections start folded, but the one holding the Gantt chart: the schedule at a glance
  for (const d of root.querySelectorAll('details')) if (!d.querySelector('svg')) d.removeAttribute('open');
  return [...root.children].map((el) => document.importNode(el, true) as Element);
}
