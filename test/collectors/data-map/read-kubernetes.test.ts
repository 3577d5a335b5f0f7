// The Kubernetes reader on the real shop manifests and on a cluster with a StatefulSet, a network policy, an
// Ingress and credentials in a connection string.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { DataMapPart } from '../../../src/collectors/data-map/model.ts';
import { readKubernetes } from '../../../src/collectors/data-map/read-kubernetes.ts';
import { leaksSecret } from '../../../src/collectors/data-map/redact.ts';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/data-map');
const shop = readdirSync(path.join(FIXTURES, 'kubernetes')).map((file) => ({
  file,
  text: readFileSync(path.join(FIXTURES, 'kubernetes', file), 'utf8'),
}));

function parse(files: { file: string; text: string }[]): DataMapPart {
  const result = readKubernetes(files);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}
const flows = (part: DataMapPart) => part.flows.map((f) => `${f.from} -> ${f.to}`).sort();

describe('readKubernetes', () => {
  test('the shop: ten services, the Redis cart store, and the cart service to Redis flow', () => {
    const part = parse(shop);
    expect(part.nodes.filter((n) => n.kind === 'system')).toHaveLength(10);
    expect(part.nodes.filter((n) => n.kind === 'store').map((n) => n.id)).toEqual(['k8s:default/redis-cart']);
    const cart = part.flows.find(
      (f) => f.from === 'k8s:default/cartservice' && f.to === 'k8s:default/redis-cart',
    );
    expect(cart).toMatchObject({ via: ['env REDIS_ADDR'], origin: { file: 'cartservice.yaml' } });
    expect(flows(part)).toEqual(
      expect.arrayContaining([
        'internet -> k8s:default/frontend',
        'k8s:default/frontend -> k8s:default/cartservice',
        'k8s:default/checkoutservice -> k8s:default/paymentservice',
        'k8s:default/checkoutservice -> k8s:default/emailservice',
        'k8s:default/recommendationservice -> k8s:default/productcatalogservice',
        // Named in an environment variable but not deployed by these manifests: kept, and marked.
        'k8s:default/frontend -> external:shoppingassistantservice',
      ]),
    );
    expect(part.flows).toHaveLength(17);
    expect(part.nodes.find((n) => n.id === 'external:shoppingassistantservice')?.boundary).toMatch(
      /not in the manifests read/,
    );
  });

  test('StatefulSets, network policies, Ingresses and credentials in URLs', () => {
    const part = parse([
      { file: 'secrets.yaml', text: readFileSync(path.join(FIXTURES, 'secrets.yaml'), 'utf8') },
    ]);
    expect(part.nodes.find((n) => n.id === 'k8s:clinical/records-db')).toMatchObject({
      kind: 'store',
      boundary: 'Kubernetes namespace clinical',
    });
    expect(flows(part)).toEqual([
      'internet -> k8s:clinical/records-api',
      'k8s:clinical/records-api -> external:api.notifications.service.gov.uk',
      'k8s:clinical/records-api -> k8s:clinical/records-db',
      'k8s:clinical/reports -> k8s:clinical/records-db',
    ]);
    expect(part.flows.find((f) => f.from === 'k8s:clinical/reports')?.via).toEqual([
      'network policy db-access',
    ]);
    expect(JSON.stringify(part)).not.toContain('S3cr3t');
    expect(leaksSecret(part.nodes.map((n) => n.attributes))).toBeUndefined();
  });

  test.each([
    ['not YAML', 'kind: Deployment\nmetadata: [unclosed', /^broken\.yaml:\d+ \(document 1\)$/, /not YAML/],
    [
      'a document without a kind',
      'apiVersion: v1\nmetadata: { name: x }',
      /^broken\.yaml \(document 1\)$/,
      /with a kind/,
    ],
    [
      'a second document without a name',
      'kind: Service\nmetadata: { name: a }\n---\nkind: Deployment\nmetadata: {}',
      /document 2/,
      /no metadata.name/,
    ],
  ])('refuses %s, naming file and document', (_label, text, where, message) => {
    const result = readKubernetes([{ file: 'broken.yaml', text }]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.where).toMatch(where);
    expect(result.error.message).toMatch(message);
  });
});
