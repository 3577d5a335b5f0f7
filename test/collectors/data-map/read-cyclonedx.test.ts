// The SaaSBOM reader: services with their data classifications, nested services, dependencies as flows and
// services across a trust boundary.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readCycloneDx } from '../../../src/collectors/data-map/read-cyclonedx.ts';

const SAASBOM = readFileSync(
  path.join(
    import.meta.dirname,
    '../../fixtures/data-map/sbom/saasbom-apigateway-microservices-datastores.cdx.json',
  ),
  'utf8',
);

describe('readCycloneDx', () => {
  test('the SaaSBOM: services, the two stores, classified flows and the trust boundary', () => {
    const result = readCycloneDx('saasbom.json', SAASBOM);
    if (!result.ok) throw new Error(result.error.message);
    const { nodes, flows } = result.value;
    expect(nodes.filter((n) => n.kind === 'store').map((n) => [n.id, n.dataClasses, n.boundary])).toEqual([
      ['cdx:ms-1-pgsql.example.com', ['PII'], 'Acme Cloud Example'],
      ['cdx:s3-example.amazon.com', ['Public'], 'External: com.amazon'],
    ]);
    expect(nodes.filter((n) => n.kind === 'system')).toHaveLength(4);
    expect(flows.map((f) => [f.from, f.to, f.dataClasses])).toEqual([
      ['cdx:api-gateway', 'cdx:ms-1.example.com', ['PII']],
      ['cdx:api-gateway', 'cdx:ms-2.example.com', ['PIFI']],
      ['cdx:api-gateway', 'cdx:ms-3.example.com', ['Public']],
      ['cdx:ms-1.example.com', 'cdx:ms-1-pgsql.example.com', ['PII']],
      ['cdx:ms-3.example.com', 'cdx:s3-example.amazon.com', ['Public']],
      ['internet', 'cdx:api-gateway', ['PII', 'PIFI', 'Public']],
    ]);
  });

  test.each([
    ['not JSON', '{', /not JSON/],
    ['not CycloneDX', '{"spdxVersion": "SPDX-2.3"}', /expected a CycloneDX BOM/],
    [
      'a service without a name',
      '{"bomFormat": "CycloneDX", "services": [{"bom-ref": "a"}]}',
      /services\[0\]/,
    ],
    [
      'a dependency on an unknown service',
      '{"bomFormat": "CycloneDX", "services": [{"bom-ref": "a", "name": "A"}], "dependencies": [{"ref": "a", "dependsOn": ["b"]}]}',
      /dependencies\[0\] \(a\)/,
    ],
  ])('refuses %s', (_label, text, expected) => {
    const result = readCycloneDx('bom.json', text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(`${result.error.where}: ${result.error.message}`).toMatch(expected);
  });
});
