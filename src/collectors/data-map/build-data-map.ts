// The pure analyser: joins what the readers found with what the organisation declared, and produces the
// data-flow map (nodes, flows with personal-data flows marked, trust boundaries) and the information asset
// register. A declaration that names something the infrastructure does not have is an error, not a guess.
import { failure, success, type Result } from '../../domain/result.ts';
import type { Declaration, DeclaredFacts } from './read-declaration.ts';
import {
  compare,
  flowKey,
  isPersonalClass,
  mergeParts,
  type Classification,
  type DataMapPart,
  type MapFlow,
  type MapNode,
} from './model.ts';

export const UNCLASSIFIED = "unclassified: needs an owner's decision";

export interface ClassifiedNode extends MapNode {
  classification?: Classification;
}

export interface DataFlow extends MapFlow {
  personal: boolean;
}

export interface RegisterEntry {
  id: string;
  name: string;
  kind: 'store' | 'processor' | 'paper';
  classification: Classification | 'unclassified';
  /** "classified", or UNCLASSIFIED when nobody has decided yet. */
  status: 'classified' | typeof UNCLASSIFIED;
  owner: string | null;
  location: string | null;
  retention: string | null;
  leavesUk: boolean | null;
  /** The systems with a flow to or from it: those that read or write it. */
  systems: string[];
  technology: string | null;
  source: string;
}

export interface DataMap {
  nodes: ClassifiedNode[];
  flows: DataFlow[];
  boundaries: string[];
  register: RegisterEntry[];
}

export function buildDataMap(
  parts: readonly DataMapPart[],
  declaration: Declaration,
  declarationFile = 'declaration',
): Result<DataMap> {
  const merged = mergeParts(parts);
  const nodes = new Map<string, ClassifiedNode>(merged.nodes.map((n) => [n.id, { ...n }]));
  const facts = new Map<string, DeclaredFacts>();

  for (const [n, declared] of declaration.stores.entries()) {
    const node = nodes.get(declared.id);
    if (!node) {
      const stores = [...nodes.values()].filter((x) => x.kind === 'store').map((x) => x.id);
      return failure(
        'bad-input',
        `no data store "${declared.id}" was found in the infrastructure read${stores.length > 0 ? `; the stores found are ${stores.join(', ')}` : '; no stores were found at all'}`,
        `${declarationFile}: stores[${n}].id`,
      );
    }
    // The declaration knows better than a guess from an image name: a declared store is a store.
    node.kind = 'store';
    node.classification = declared.classification;
    if (declared.name) node.name = declared.name;
    facts.set(node.id, declared);
  }
  const slug = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
  for (const [kind, list] of [
    ['processor', declaration.processors],
    ['paper', declaration.paper],
  ] as const) {
    for (const [n, declared] of list.entries()) {
      const id = declared.id ?? `${kind}:${slug(declared.name)}`;
      if (nodes.has(id))
        return failure(
          'bad-input',
          `the id "${id}" is already used`,
          `${declarationFile}: ${kind === 'paper' ? 'paper' : 'processors'}[${n}]`,
        );
      nodes.set(id, {
        id,
        name: declared.name,
        kind,
        boundary: kind === 'paper' ? 'Paper records' : `Third party: ${declared.name}`,
        origin: { file: declarationFile, element: `${kind === 'paper' ? 'paper' : 'processors'}[${n}]` },
        classification: declared.classification,
      });
      facts.set(id, declared);
    }
  }

  const flows = new Map<string, MapFlow & { declared?: Classification }>(
    merged.flows.map((f) => [flowKey(f), { ...f }]),
  );
  const addDeclared = (
    from: string,
    to: string,
    where: string,
    classification?: Classification,
    description?: string,
  ) => {
    for (const [end, id] of [
      ['from', from],
      ['to', to],
    ] as const)
      if (!nodes.has(id))
        return failure(
          'bad-input',
          `"${id}" is not a system, store, processor or paper record on the map`,
          `${where}.${end}`,
        );
    const key = flowKey({ from, to });
    const seen = flows.get(key);
    const via = description ? `declared: ${description}` : 'declared';
    if (seen) {
      seen.via.push(via);
      if (classification) seen.declared = classification;
    } else
      flows.set(key, {
        from,
        to,
        via: [via],
        origin: { file: declarationFile, element: where },
        ...(classification ? { declared: classification } : {}),
      });
    return success(true);
  };
  for (const [n, processor] of declaration.processors.entries()) {
    const id = processor.id ?? `processor:${slug(processor.name)}`;
    for (const [r, from] of processor.receivesFrom.entries()) {
      const added = addDeclared(
        from,
        id,
        `${declarationFile}: processors[${n}].receivesFrom[${r}]`,
        processor.classification,
      );
      if (!added.ok) return added;
    }
  }
  for (const [n, flow] of declaration.flows.entries()) {
    const added = addDeclared(
      flow.from,
      flow.to,
      `${declarationFile}: flows[${n}]`,
      flow.classification,
      flow.description,
    );
    if (!added.ok) return added;
  }

  // Stores the inputs themselves classified (a SaaSBOM's data classes) count as classified; the rest wait
  // for an owner's decision.
  for (const node of nodes.values()) {
    if (node.classification || !node.dataClasses || node.dataClasses.length === 0) continue;
    if (node.kind !== 'store') continue;
    node.classification = node.dataClasses.some(isPersonalClass) ? 'personal' : 'none';
  }

  const holdsPersonal = (id: string) => {
    const c = nodes.get(id)?.classification;
    return c === 'personal' || c === 'special-category';
  };
  const dataFlows: DataFlow[] = [...flows.values()]
    .map(({ declared, ...flow }) => ({
      ...flow,
      personal:
        declared === 'personal' ||
        declared === 'special-category' ||
        (flow.dataClasses ?? []).some(isPersonalClass) ||
        holdsPersonal(flow.from) ||
        holdsPersonal(flow.to),
    }))
    .sort((a, b) => compare(flowKey(a), flowKey(b)));

  const register: RegisterEntry[] = [...nodes.values()]
    .filter((n) => n.kind === 'store' || n.kind === 'processor' || n.kind === 'paper')
    .map((n) => {
      const declared = facts.get(n.id);
      const systems = new Set<string>();
      for (const f of dataFlows) {
        if (f.to === n.id) systems.add(nodes.get(f.from)?.name ?? f.from);
        if (f.from === n.id) systems.add(nodes.get(f.to)?.name ?? f.to);
      }
      return {
        id: n.id,
        name: n.name,
        kind: n.kind as RegisterEntry['kind'],
        classification: n.classification ?? 'unclassified',
        status: n.classification ? 'classified' : UNCLASSIFIED,
        owner: declared?.owner ?? null,
        location: declared?.location ?? null,
        retention: declared?.retention ?? null,
        leavesUk: declared?.leavesUk ?? null,
        systems: [...systems].sort(compare),
        technology: n.technology ?? null,
        source: `${n.origin.file}: ${n.origin.element}`,
      } satisfies RegisterEntry;
    })
    .sort((a, b) => compare(a.kind, b.kind) || compare(a.id, b.id));

  const all = [...nodes.values()].sort((a, b) => compare(a.id, b.id));
  return success({
    nodes: all,
    flows: dataFlows,
    boundaries: [...new Set(all.map((n) => n.boundary))].sort(compare),
    register,
  });
}

export interface DataMapDiff {
  /** False when there was no earlier map to compare with. */
  compared: boolean;
  storesAdded: string[];
  storesRemoved: string[];
  flowsAdded: string[];
  flowsRemoved: string[];
}

/** Stores and flows added or removed since the previous map (its JSON export). */
export function diffDataMaps(
  previous: Pick<DataMap, 'register' | 'flows'> | undefined,
  current: DataMap,
): DataMapDiff {
  if (!previous)
    return { compared: false, storesAdded: [], storesRemoved: [], flowsAdded: [], flowsRemoved: [] };
  const before = new Set(previous.register.map((e) => e.id));
  const after = new Set(current.register.map((e) => e.id));
  const flowsBefore = new Set(previous.flows.map(flowKey));
  const flowsAfter = new Set(current.flows.map(flowKey));
  const minus = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort(compare);
  return {
    compared: true,
    storesAdded: minus(after, before),
    storesRemoved: minus(before, after),
    flowsAdded: minus(flowsAfter, flowsBefore),
    flowsRemoved: minus(flowsBefore, flowsAfter),
  };
}
