// The evidence the data-map collector leaves: a verdict per evidence item and CAF outcome it can support, the
// JSON export, and a self-contained HTML page (no script) with the map, the register and the changes.
import type { CollectorVerdict } from '../../app/ports.ts';
import { UNCLASSIFIED, type DataMap, type DataMapDiff } from './build-data-map.ts';

/** The CAF outcomes on asset management (A3.a) and data security (B3.a) the map speaks to. */
export const DATA_MAP_OUTCOMES = ['A3.a', 'B3.a'] as const;

export function dataMapVerdicts(map: DataMap, targets: readonly string[]): CollectorVerdict[] {
  const stores = map.register.length;
  const unclassified = map.register.filter((e) => e.status === UNCLASSIFIED);
  const ownerless = map.register.filter((e) => e.owner === null && e.status !== UNCLASSIFIED);
  const systems = map.nodes.filter((n) => n.kind === 'system').length;
  const personalFlows = map.flows.filter((f) => f.personal).length;
  return targets.map((targetId) => {
    if (stores === 0)
      return {
        targetId,
        verdict: 'gap',
        summary: 'no data store was found or declared: the register is empty',
      };
    if (unclassified.length > 0)
      return {
        targetId,
        verdict: 'gap',
        summary: `${unclassified.length} of ${stores} data stores ${UNCLASSIFIED} (${unclassified.map((e) => e.name).join(', ')})`,
      };
    return {
      targetId,
      verdict: 'supports',
      summary: `${stores} data stores classified, ${systems} systems, ${map.flows.length} flows of which ${personalFlows} carry personal data${ownerless.length > 0 ? `; ${ownerless.length} with no owner named` : ''}`,
    };
  });
}

export function dataMapJson(
  map: DataMap,
  diff: DataMapDiff,
  meta: { organisation: string; effectiveDate: string },
) {
  return {
    format: 'opendspt-data-map',
    version: 1,
    organisation: meta.organisation,
    effectiveDate: meta.effectiveDate,
    boundaries: map.boundaries,
    nodes: map.nodes,
    flows: map.flows,
    register: map.register,
    changes: diff,
  };
}

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export function dataMapHtml(
  map: DataMap,
  diff: DataMapDiff,
  svg: string,
  meta: { organisation: string; effectiveDate: string },
): string {
  const rows = map.register
    .map(
      (e) =>
        `<tr><td>${escape(e.name)}<br><small>${escape(e.id)}</small></td><td>${escape(e.kind)}</td><td>${e.status === UNCLASSIFIED ? `<strong>${escape(UNCLASSIFIED)}</strong>` : escape(e.classification)}</td><td>${escape(e.owner ?? 'not named')}</td><td>${escape(e.location ?? 'not stated')}</td><td>${escape(e.retention ?? 'not stated')}</td><td>${e.leavesUk === null ? 'not stated' : e.leavesUk ? 'yes' : 'no'}</td><td>${escape(e.systems.join(', ') || 'none found')}</td></tr>`,
    )
    .join('\n');
  const list = (title: string, items: string[]) =>
    items.length === 0
      ? ''
      : `<h3>${escape(title)}</h3><ul>${items.map((i) => `<li>${escape(i)}</li>`).join('')}</ul>`;
  const changes = !diff.compared
    ? '<p>This is the first map recorded: there is nothing to compare with.</p>'
    : diff.storesAdded.length +
          diff.storesRemoved.length +
          diff.flowsAdded.length +
          diff.flowsRemoved.length ===
        0
      ? '<p>No stores or flows were added or removed since the previous map.</p>'
      : [
          list('Stores added', diff.storesAdded),
          list('Stores removed', diff.storesRemoved),
          list('Flows added', diff.flowsAdded),
          list('Flows removed', diff.flowsRemoved),
        ].join('\n');
  const personal = map.flows.filter((f) => f.personal);
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Data-flow map and information asset register: ${escape(meta.organisation)}, ${escape(meta.effectiveDate)}</title>
<style>
body { font-family: Arial, sans-serif; margin: 2em; color: #212b32; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #d8dde0; padding: 4px 8px; text-align: left; vertical-align: top; }
.map { overflow: auto; border: 1px solid #d8dde0; } .map svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>Data-flow map and information asset register</h1>
<p>Organisation ${escape(meta.organisation)}, as of ${escape(meta.effectiveDate)}: ${map.register.length} data stores, processors and paper records; ${map.nodes.filter((n) => n.kind === 'system').length} systems; ${map.flows.length} flows, ${personal.length} of them carrying personal data (drawn in red); ${map.boundaries.length} trust boundaries.</p>
<h2>Map</h2>
<div class="map">${svg}</div>
<h2>Information asset register</h2>
<table>
<thead><tr><th>Asset</th><th>Kind</th><th>Classification</th><th>Owner</th><th>Location</th><th>Retention</th><th>Leaves the UK</th><th>Systems that read or write it</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h2>Personal-data flows</h2>
<ul>${personal.map((f) => `<li>${escape(f.from)} to ${escape(f.to)} (${escape(f.via.join('; '))})</li>`).join('') || '<li>none</li>'}</ul>
<h2>Changes since the previous map</h2>
${changes}
</body>
</html>
`;
}
