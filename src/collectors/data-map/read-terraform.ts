// Reads Terraform state (versions 3 and 4) and `terraform show -json` output into the data-map model.
// Attributes are redacted as they are read, so no secret ever reaches the model. Flows come from security
// group rules (who may reach whom, on which port), public ingress, and dependencies between drawn resources.
import { failure, success, type Result } from '../../domain/result.ts';
import { resourceRole, providerOf, type ResourceRole } from './classify-resource.ts';
import { INTERNET, mergeParts, type DataMapPart, type MapFlow, type MapNode } from './model.ts';
import { redact } from './redact.ts';

/** One resource instance, whatever the file format it came from. */
interface Instance {
  address: string;
  type: string;
  /** Attributes, already redacted. */
  attributes: Record<string, unknown>;
  dependsOn: string[];
}

interface Rule {
  direction: 'ingress' | 'egress';
  ports: string;
  cidrs: string[];
  groups: string[];
}

export function readTerraform(file: string, text: string): Result<DataMapPart> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return failure('bad-input', `not JSON: ${(error as Error).message}`, file);
  }
  if (!isObject(doc)) return failure('bad-input', 'expected a Terraform state object', file);
  let instances: Result<Instance[]>;
  if ('format_version' in doc && 'values' in doc) instances = readShowJson(file, doc);
  else if (doc.version === 4) instances = readV4(file, doc);
  else if (doc.version === 3) instances = readV3(file, doc);
  else if ('format_version' in doc)
    return success({ nodes: [], flows: [] }); // `show -json` of an empty state has no `values`
  else
    return failure(
      'bad-input',
      `unknown Terraform state version ${JSON.stringify(doc.version ?? null)}: expected 3 or 4, or the output of "terraform show -json"`,
      `${file}: version`,
    );
  if (!instances.ok) return instances;
  return success(toPart(file, instances.value));
}

function readV4(file: string, doc: Record<string, unknown>): Result<Instance[]> {
  const resources = doc.resources ?? [];
  if (!Array.isArray(resources)) return failure('bad-input', 'expected an array', `${file}: resources`);
  const out: Instance[] = [];
  for (const [r, resource] of resources.entries()) {
    const where = `${file}: resources[${r}]`;
    if (!isObject(resource) || typeof resource.type !== 'string' || typeof resource.name !== 'string')
      return failure('bad-input', 'expected a resource with a type and a name', where);
    if (resource.mode === 'data') continue;
    const base = `${typeof resource.module === 'string' ? `${resource.module}.` : ''}${resource.type}.${resource.name}`;
    const list = resource.instances ?? [];
    if (!Array.isArray(list))
      return failure('bad-input', 'expected an array of instances', `${where}.instances`);
    for (const [i, instance] of list.entries()) {
      const at = `${where} (${base}) instances[${i}]`;
      if (!isObject(instance) || !isObject(instance.attributes))
        return failure('bad-input', 'expected an instance with attributes', at);
      if (typeof instance.attributes.id !== 'string' || instance.attributes.id === '')
        return failure('bad-input', 'the instance has no id attribute', at);
      const key = instance.index_key;
      const address =
        key === undefined
          ? base
          : typeof key === 'number'
            ? `${base}[${key}]`
            : `${base}[${JSON.stringify(key)}]`;
      const deps = [
        ...(Array.isArray(instance.dependencies) ? instance.dependencies : []),
        ...(Array.isArray(instance.depends_on) ? instance.depends_on : []),
      ].filter((d): d is string => typeof d === 'string');
      out.push({
        address,
        type: resource.type,
        attributes: redact(instance.attributes, sensitiveTree(instance.sensitive_attributes)) as Record<
          string,
          unknown
        >,
        dependsOn: deps,
      });
    }
  }
  return success(out);
}

function readV3(file: string, doc: Record<string, unknown>): Result<Instance[]> {
  const modules = doc.modules ?? [];
  if (!Array.isArray(modules)) return failure('bad-input', 'expected an array', `${file}: modules`);
  const out: Instance[] = [];
  for (const [m, module] of modules.entries()) {
    const where = `${file}: modules[${m}]`;
    if (!isObject(module) || !isObject(module.resources ?? {}))
      return failure('bad-input', 'expected a module with a resources object', where);
    const path = Array.isArray(module.path)
      ? module.path.filter((p): p is string => typeof p === 'string')
      : [];
    const prefix = path
      .slice(1)
      .map((p) => `module.${p}.`)
      .join('');
    for (const [name, resource] of Object.entries((module.resources ?? {}) as Record<string, unknown>)) {
      const at = `${where}.resources["${name}"]`;
      if (!isObject(resource) || !isObject(resource.primary))
        return failure('bad-input', 'expected a resource with a primary instance', at);
      if (name.startsWith('data.')) continue;
      const type = typeof resource.type === 'string' ? resource.type : name.split('.')[0]!;
      const attributes = isObject(resource.primary.attributes) ? resource.primary.attributes : {};
      if (typeof resource.primary.id !== 'string' || resource.primary.id === '')
        return failure('bad-input', 'the instance has no id', at);
      // v3 names counted instances `type.name.0`; v4 and the CLI write `type.name[0]`.
      const address = `${prefix}${name.replace(/\.(\d+)$/, '[$1]')}`;
      const deps = (Array.isArray(resource.depends_on) ? resource.depends_on : [])
        .filter((d): d is string => typeof d === 'string')
        .map((d) => `${prefix}${d}`);
      out.push({
        address,
        type,
        attributes: redact(unflatten(attributes)) as Record<string, unknown>,
        dependsOn: deps,
      });
    }
  }
  return success(out);
}

function readShowJson(file: string, doc: Record<string, unknown>): Result<Instance[]> {
  const values = doc.values;
  if (!isObject(values)) return failure('bad-input', 'expected an object', `${file}: values`);
  const out: Instance[] = [];
  const walk = (module: unknown, where: string): Result<true> => {
    if (module === undefined) return success(true);
    if (!isObject(module)) return failure('bad-input', 'expected a module object', where);
    const resources = module.resources ?? [];
    if (!Array.isArray(resources)) return failure('bad-input', 'expected an array', `${where}.resources`);
    for (const [r, resource] of resources.entries()) {
      const at = `${where}.resources[${r}]`;
      if (!isObject(resource) || typeof resource.address !== 'string' || typeof resource.type !== 'string')
        return failure('bad-input', 'expected a resource with an address and a type', at);
      if (resource.mode === 'data') continue;
      out.push({
        address: resource.address,
        type: resource.type,
        attributes: redact(resource.values ?? {}, resource.sensitive_values) as Record<string, unknown>,
        dependsOn: (Array.isArray(resource.depends_on) ? resource.depends_on : []).filter(
          (d): d is string => typeof d === 'string',
        ),
      });
    }
    const children = module.child_modules ?? [];
    if (!Array.isArray(children)) return failure('bad-input', 'expected an array', `${where}.child_modules`);
    for (const [c, child] of children.entries()) {
      const walked = walk(child, `${where}.child_modules[${c}]`);
      if (!walked.ok) return walked;
    }
    return success(true);
  };
  const walked = walk(values.root_module, `${file}: values.root_module`);
  return walked.ok ? success(out) : walked;
}

/**
 * v4 lists the attributes Terraform marked sensitive as paths (`[{ type: "get_attr", value: "password" }]`);
 * turned into the shape of the attributes, with `true` where a path ends.
 */
function sensitiveTree(paths: unknown): unknown {
  if (!Array.isArray(paths)) return undefined;
  const tree: Record<string, unknown> = {};
  for (const path of paths) {
    if (!Array.isArray(path) || path.length === 0) continue;
    let cursor = tree;
    path.forEach((step, n) => {
      const key = isObject(step) ? String(step.value) : String(step);
      if (n === path.length - 1) cursor[key] = true;
      else {
        const next = cursor[key];
        cursor = isObject(next) ? next : (cursor[key] = {});
      }
    });
  }
  return tree;
}

/** v3 keeps nested values as flat keys (`ingress.123.from_port`); nest them as v4 does. */
function unflatten(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    if (parts.at(-1) === '#' || parts.at(-1) === '%') continue;
    let cursor = out;
    for (const part of parts.slice(0, -1)) {
      const next = cursor[part];
      cursor = isObject(next) ? next : (cursor[part] = {});
    }
    cursor[parts.at(-1)!] = value;
  }
  return out;
}

function toPart(file: string, instances: Instance[]): DataMapPart {
  const roles = new Map<string, ResourceRole>(instances.map((i) => [i.address, resourceRole(i.type)]));
  // Dependencies name resources without the instance key; map both forms to the instances.
  const byBase = new Map<string, Instance[]>();
  for (const i of instances) {
    const base = i.address.replace(/\[[^\]]*\]$/, '');
    byBase.set(base, [...(byBase.get(base) ?? []), i]);
    if (base !== i.address) byBase.set(i.address, [i]);
  }
  const resolve = (ref: string) => byBase.get(ref) ?? [];
  const idOf = (i: Instance) => `tf:${i.address}`;

  const nodes: MapNode[] = [];
  for (const i of instances) {
    const role = roles.get(i.address)!;
    if (role === 'network' || role === 'security-group') continue;
    const name =
      typeof i.attributes.name === 'string' && i.attributes.name !== ''
        ? `${i.address} (${i.attributes.name})`
        : i.address;
    nodes.push({
      id: idOf(i),
      name,
      kind: role === 'store' ? 'store' : 'system',
      boundary: providerOf(i.type),
      origin: { file, element: i.address },
      technology: i.type,
      attributes: i.attributes,
    });
  }
  const drawn = new Set(nodes.map((n) => n.id));

  // Security groups: which drawn resources wear each group, and each group's rules.
  const groupById = new Map<string, Instance>();
  for (const i of instances)
    if (roles.get(i.address) === 'security-group' && typeof i.attributes.id === 'string')
      groupById.set(i.attributes.id, i);
  const wearers = new Map<string, Set<string>>();
  const wear = (group: string, node: string) => {
    const set = wearers.get(group) ?? new Set();
    set.add(node);
    wearers.set(group, set);
  };
  for (const i of instances) {
    if (!drawn.has(idOf(i))) continue;
    for (const attr of [
      'vpc_security_group_ids',
      'security_group_ids',
      'security_groups',
      'network_security_group_id',
    ])
      for (const id of stringsIn(i.attributes[attr])) if (groupById.has(id)) wear(id, idOf(i));
    // Some states only record the group as a dependency.
    for (const dep of i.dependsOn)
      for (const target of resolve(dep))
        if (roles.get(target.address) === 'security-group' && typeof target.attributes.id === 'string')
          wear(target.attributes.id, idOf(i));
  }

  const flows: MapFlow[] = [];
  const add = (from: string, to: string, via: string, element: string) => {
    if (from === to) return;
    flows.push({ from, to, via: [via], origin: { file, element } });
  };
  let publicIngress = false;
  for (const [groupId, group] of groupById) {
    const targets = [...(wearers.get(groupId) ?? [])];
    if (targets.length === 0) continue;
    for (const rule of rulesOf(group.attributes)) {
      if (rule.direction !== 'ingress') continue;
      const label = `security group ${groupId} ${rule.ports}`;
      for (const source of rule.groups)
        for (const from of wearers.get(source) ?? [])
          for (const to of targets) add(from, to, label, group.address);
      if (rule.cidrs.some((c) => c === '0.0.0.0/0' || c === '::/0' || c === '*' || c === 'Internet')) {
        publicIngress = true;
        for (const to of targets) add(INTERNET.id, to, label, group.address);
      }
    }
  }
  // A dependency between two drawn resources: the system uses the store, or the dependant uses what it needs.
  for (const i of instances) {
    if (!drawn.has(idOf(i))) continue;
    for (const dep of i.dependsOn)
      for (const target of resolve(dep)) {
        if (!drawn.has(idOf(target))) continue;
        const reversed = roles.get(i.address) === 'store' && roles.get(target.address) !== 'store';
        if (reversed) add(idOf(target), idOf(i), 'depends on', i.address);
        else add(idOf(i), idOf(target), 'depends on', i.address);
      }
  }
  if (publicIngress) nodes.push(INTERNET);
  // Several rules between the same two resources (ports 80 and 443) are one flow with both reasons.
  return mergeParts([{ nodes, flows }]);
}

function rulesOf(attributes: Record<string, unknown>): Rule[] {
  const rules: Rule[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    const raw = attributes[direction];
    const list = Array.isArray(raw) ? raw : isObject(raw) ? Object.values(raw) : [];
    for (const rule of list) {
      if (!isObject(rule)) continue;
      const from = String(rule.from_port ?? '');
      const to = String(rule.to_port ?? '');
      const protocol = String(rule.protocol ?? '');
      rules.push({
        direction,
        ports: protocol === '-1' ? 'all traffic' : from === to ? `port ${from}` : `ports ${from}-${to}`,
        cidrs: [...stringsIn(rule.cidr_blocks), ...stringsIn(rule.ipv6_cidr_blocks)],
        groups: stringsIn(rule.security_groups),
      });
    }
  }
  return rules;
}

/** Strings in an array, or in the values of a v3 set turned into an object. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  const list = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
  return list.filter((v): v is string => typeof v === 'string' && v !== '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
