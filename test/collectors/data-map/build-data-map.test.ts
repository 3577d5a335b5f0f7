// The analyser: discovered stores joined with the declaration into the register, personal-data flows marked,
// unclassified stores listed for a decision, the diff against the previous map, and the drawing.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  buildDataMap,
  diffDataMaps,
  UNCLASSIFIED,
  type DataMap,
} from '../../../src/collectors/data-map/build-data-map.ts';
import type { DataMapPart } from '../../../src/collectors/data-map/model.ts';
import {
  EMPTY_DECLARATION,
  readDeclaration,
  type Declaration,
} from '../../../src/collectors/data-map/read-declaration.ts';
import { readKubernetes } from '../../../src/collectors/data-map/read-kubernetes.ts';
import { readTerraform } from '../../../src/collectors/data-map/read-terraform.ts';
import { toDot, toSvg } from '../../../src/collectors/data-map/render.ts';
import { dataMapHtml, dataMapVerdicts } from '../../../src/collectors/data-map/report.ts';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/data-map');
const text = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

function shop(): DataMapPart {
  const r = readKubernetes(
    readdirSync(path.join(FIXTURES, 'kubernetes')).map((f) => ({ file: f, text: text(`kubernetes/${f}`) })),
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
function declared(): Declaration {
  const r = readDeclaration('declaration.yaml', text('declaration.yaml'));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
function build(parts: DataMapPart[], declaration: Declaration = EMPTY_DECLARATION): DataMap {
  const r = buildDataMap(parts, declaration, 'declaration.yaml');
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('buildDataMap', () => {
  test('without a declaration every discovered store waits for an owner', () => {
    const map = build([shop()]);
    expect(map.register).toEqual([
      expect.objectContaining({
        id: 'k8s:default/redis-cart',
        classification: 'unclassified',
        status: UNCLASSIFIED,
        systems: ['cartservice'],
      }),
    ]);
    expect(map.flows.filter((f) => f.personal)).toEqual([]);
    expect(dataMapVerdicts(map, ['1.1.2'])).toEqual([
      {
        targetId: '1.1.2',
        verdict: 'gap',
        summary: expect.stringContaining(`1 of 1 data stores ${UNCLASSIFIED}`),
      },
    ]);
  });

  test('the declaration classifies stores, adds processors, paper and flows, and personal flows are marked', () => {
    const map = build([shop()], declared());
    expect(map.register.map((e) => [e.kind, e.id, e.classification, e.owner, e.leavesUk])).toEqual([
      ['paper', 'paper:signed-consent-forms', 'special-category', 'Practice manager', false],
      ['processor', 'processor:acme-mail-ltd', 'personal', 'Head of Digital Services', true],
      ['store', 'k8s:default/redis-cart', 'personal', 'Head of Digital Services', false],
    ]);
    const personal = map.flows.filter((f) => f.personal).map((f) => `${f.from} -> ${f.to}`);
    expect(personal).toEqual([
      'k8s:default/cartservice -> k8s:default/redis-cart',
      'k8s:default/checkoutservice -> k8s:default/paymentservice',
      'k8s:default/emailservice -> processor:acme-mail-ltd',
    ]);
    expect(map.boundaries).toEqual(
      expect.arrayContaining([
        'Internet',
        'Kubernetes namespace default',
        'Paper records',
        'Third party: Acme Mail Ltd',
      ]),
    );
    expect(dataMapVerdicts(map, ['1.1.2', 'A3.a']).map((v) => v.verdict)).toEqual(['supports', 'supports']);
  });

  test('a declared store that the infrastructure does not have is an error naming the element', () => {
    const declaration = {
      ...EMPTY_DECLARATION,
      stores: [{ id: 'k8s:default/redis', classification: 'personal' as const }],
    };
    expect(buildDataMap([shop()], declaration, 'declare.yaml')).toEqual({
      ok: false,
      error: {
        kind: 'bad-input',
        where: 'declare.yaml: stores[0].id',
        message: expect.stringContaining(
          'no data store "k8s:default/redis" was found in the infrastructure read; the stores found are k8s:default/redis-cart',
        ),
      },
    });
    const flow = { ...EMPTY_DECLARATION, flows: [{ from: 'k8s:default/frontend', to: 'nowhere' }] };
    expect(buildDataMap([shop()], flow, 'declare.yaml')).toMatchObject({
      ok: false,
      error: { where: 'declare.yaml: flows[0].to' },
    });
  });

  test.each([
    ['not YAML', 'stores: [unclosed', /^d\.yaml:\d+$/, /not YAML/],
    [
      'an unknown classification',
      'stores:\n  - id: a\n    classification: secret\n',
      /^d\.yaml:3: stores\[0\]\.classification$/,
      /personal/,
    ],
    ['an unknown key', 'stores: []\nowners: []\n', /^d\.yaml.*: \(top\)$/, /owners/],
    [
      'leavesUk not a boolean',
      'paper:\n  - name: P\n    classification: none\n    leavesUk: maybe\n',
      /paper\[0\]\.leavesUk/,
      /boolean/,
    ],
  ])('the declaration refuses %s, naming file, line and element', (_label, yaml, where, message) => {
    const result = readDeclaration('d.yaml', yaml);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.where).toMatch(where);
    expect(result.error.message).toMatch(message);
  });

  test('the diff names the stores and flows added and removed', () => {
    const tf = readTerraform('state.json', text('terraform/aws_state_sg.json'));
    if (!tf.ok) throw new Error(tf.error.message);
    const before = build([shop()]);
    const after = build([tf.value]);
    expect(diffDataMaps(undefined, after).compared).toBe(false);
    const diff = diffDataMaps(before, after);
    expect(diff.storesAdded).toEqual(['tf:module.lemp.aws_db_instance.Cpbzf[0]']);
    expect(diff.storesRemoved).toEqual(['k8s:default/redis-cart']);
    expect(diff.flowsAdded).toContain(
      'tf:module.lemp.aws_launch_template.vIkyE -> tf:module.lemp.aws_db_instance.Cpbzf[0]',
    );
    expect(diff.flowsRemoved).toContain('k8s:default/cartservice -> k8s:default/redis-cart');
    expect(diffDataMaps(after, after)).toEqual({
      compared: true,
      storesAdded: [],
      storesRemoved: [],
      flowsAdded: [],
      flowsRemoved: [],
    });
  });

  test('the drawing: boundaries as clusters, personal flows in red, an SVG inside a page with no script', async () => {
    const map = build([shop()], declared());
    const dot = toDot(map);
    expect(dot.match(/subgraph cluster_/g)).toHaveLength(map.boundaries.length);
    expect(dot).toMatch(/"k8s:default\/cartservice" -> "k8s:default\/redis-cart" \[[^\]]*color="#d5281b"/);
    expect(dot).not.toMatch(/"k8s:default\/frontend" -> "k8s:default\/adservice" \[[^\]]*color="#d5281b"/);
    const svg = await toSvg(map);
    expect(svg).toMatch(/^<!--[\s\S]*<svg/);
    expect(svg).toContain('Shopping carts (Redis)');
    const html = dataMapHtml(map, diffDataMaps(undefined, map), svg, {
      organisation: 'A81001',
      effectiveDate: '2026-05-20',
    });
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script/i);
  });
});
