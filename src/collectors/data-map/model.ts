// The one model every data-map reader produces: systems, data stores, external parties and the flows between
// them, each placed inside a trust boundary and traced back to the file and element it came from.

export type NodeKind = 'system' | 'store' | 'external' | 'processor' | 'paper';

export type Classification = 'personal' | 'special-category' | 'none';

/** Where a node or flow was found: the input file and the element inside it. */
export interface Origin {
  file: string;
  element: string;
}

export interface MapNode {
  id: string;
  name: string;
  kind: NodeKind;
  /** The trust boundary the node sits in: a cloud account, a cluster namespace, the Internet, a supplier. */
  boundary: string;
  origin: Origin;
  /** What it is made of: a Terraform resource type, a container image, a CycloneDX group. */
  technology?: string;
  /** Data classes an input declared for it (the SaaSBOM's `data[].classification`), as written. */
  dataClasses?: string[];
  /** Descriptive attributes, with everything that may hold a secret already redacted. */
  attributes?: Record<string, unknown>;
}

export interface MapFlow {
  from: string;
  to: string;
  /** How the flow was found: `env REDIS_ADDR`, `security group sg-1 port 3306`, `network policy x`... */
  via: string[];
  dataClasses?: string[];
  origin: Origin;
}

/** What one reader found in one file. */
export interface DataMapPart {
  nodes: MapNode[];
  flows: MapFlow[];
}

export const INTERNET: MapNode = {
  id: 'internet',
  name: 'Internet',
  kind: 'external',
  boundary: 'Internet',
  origin: { file: '(derived)', element: 'public ingress' },
};

/** Merges parts: the first description of a node wins; flows between the same two nodes are joined. */
export function mergeParts(parts: readonly DataMapPart[]): DataMapPart {
  const nodes = new Map<string, MapNode>();
  const flows = new Map<string, MapFlow>();
  for (const part of parts) {
    for (const node of part.nodes) if (!nodes.has(node.id)) nodes.set(node.id, node);
    for (const flow of part.flows) {
      const key = flowKey(flow);
      const seen = flows.get(key);
      if (!seen) flows.set(key, { ...flow, via: [...flow.via] });
      else {
        for (const v of flow.via) if (!seen.via.includes(v)) seen.via.push(v);
        if (flow.dataClasses)
          seen.dataClasses = [...new Set([...(seen.dataClasses ?? []), ...flow.dataClasses])];
      }
    }
  }
  return {
    nodes: [...nodes.values()].sort((a, b) => compare(a.id, b.id)),
    flows: [...flows.values()].sort((a, b) => compare(flowKey(a), flowKey(b))),
  };
}

export function flowKey(flow: Pick<MapFlow, 'from' | 'to'>): string {
  return `${flow.from} -> ${flow.to}`;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Data classes that mean personal data, as the SaaSBOM and declarations write them. */
export function isPersonalClass(dataClass: string): boolean {
  return /\b(pii|pifi|phi|personal|special|health|patient|sensitive)\b/i.test(
    dataClass.replace(/[-_]/g, ' '),
  );
}
