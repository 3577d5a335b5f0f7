// Draws the data-flow map: Graphviz DOT (trust boundaries as clusters, personal-data flows in bold red), turned
// into SVG by @viz-js/viz (Graphviz compiled to WebAssembly, so nothing is installed or fetched).
import { instance, type Viz } from '@viz-js/viz';
import type { DataMap } from './build-data-map.ts';

const SHAPE = {
  system: 'box',
  store: 'cylinder',
  external: 'ellipse',
  processor: 'component',
  paper: 'note',
};

export function toDot(map: DataMap): string {
  const q = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  const lines = [
    'digraph DataFlowMap {',
    '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, compound=true];',
    '  node [fontname="Helvetica", fontsize=10, style=filled, fillcolor="#ffffff"];',
    '  edge [fontname="Helvetica", fontsize=8, color="#768692"];',
  ];
  map.boundaries.forEach((boundary, b) => {
    lines.push(
      `  subgraph cluster_${b} {`,
      `    label=${q(boundary)}; style="rounded,dashed"; color="#425563";`,
    );
    for (const node of map.nodes.filter((n) => n.boundary === boundary)) {
      const personal = node.classification === 'personal' || node.classification === 'special-category';
      const unclassified = node.kind === 'store' && !node.classification;
      const label = `${node.name}${node.classification ? `\n[${node.classification}]` : unclassified ? '\n[unclassified]' : ''}`;
      lines.push(
        `    ${q(node.id)} [label=${q(label)}, shape=${SHAPE[node.kind]}${personal ? ', fillcolor="#fde8e8", color="#d5281b", penwidth=2' : unclassified ? ', fillcolor="#fff9c4"' : ''}];`,
      );
    }
    lines.push('  }');
  });
  for (const flow of map.flows) {
    const label = flow.via.slice(0, 2).join('; ') + (flow.via.length > 2 ? '; ...' : '');
    lines.push(
      `  ${q(flow.from)} -> ${q(flow.to)} [label=${q(label)}${flow.personal ? ', color="#d5281b", penwidth=2.5, fontcolor="#d5281b"' : ''}];`,
    );
  }
  lines.push('}');
  return lines.join('\n');
}

let viz: Promise<Viz> | undefined;

export async function toSvg(map: DataMap): Promise<string> {
  viz ??= instance();
  const svg = (await viz).renderString(toDot(map), { format: 'svg' });
  // The SVG goes inside an HTML page; the XML prologue and doctype are not allowed there.
  return svg.replace(/^<\?xml[^>]*>\s*/, '').replace(/<!DOCTYPE[^>]*>\s*/, '');
}
