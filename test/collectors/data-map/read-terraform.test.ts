// The Terraform reader on real state files (v3 and v4, modules, count) and on states holding secrets: the
// stores and flows found, every secret redacted, and bad files refused with the file and element named.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { DataMapPart } from '../../../src/collectors/data-map/model.ts';
import { readTerraform } from '../../../src/collectors/data-map/read-terraform.ts';
import { leaksSecret, REDACTED } from '../../../src/collectors/data-map/redact.ts';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/data-map');
const read = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

function parse(name: string): DataMapPart {
  const result = readTerraform(path.basename(name), read(name));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}
const stores = (part: DataMapPart) =>
  part.nodes
    .filter((n) => n.kind === 'store')
    .map((n) => n.id)
    .sort();
const flows = (part: DataMapPart) => part.flows.map((f) => `${f.from} -> ${f.to}`).sort();

describe('readTerraform', () => {
  test('a v3 state with modules: stores, public ingress and security-group flows', () => {
    const part = parse('terraform/version_3_state.json');
    expect(stores(part)).toEqual([
      'tf:module.cycloid.aws_db_instance.website',
      'tf:module.cycloid.aws_ebs_volume.flux',
      'tf:module.cycloid.aws_elasticache_cluster.redis',
      'tf:module.cycloid.aws_s3_bucket.medias',
    ]);
    expect(flows(part)).toEqual(
      expect.arrayContaining([
        'internet -> tf:module.cycloid.aws_alb.front',
        'tf:module.cycloid.aws_alb.front -> tf:module.cycloid.aws_instance.batch',
        'tf:module.cycloid.aws_instance.batch -> tf:module.cycloid.aws_db_instance.website',
        'tf:module.cycloid.aws_instance.batch -> tf:module.cycloid.aws_elasticache_cluster.redis',
        'tf:module.cycloid.aws_cloudfront_distribution.cdn -> tf:module.cycloid.aws_s3_bucket.medias',
      ]),
    );
    const redis = part.flows.find((f) => f.to.endsWith('aws_elasticache_cluster.redis'))!;
    expect(redis.via).toEqual(['security group sg-045d417e port 6379']);
    // Security groups, VPC pieces and the like shape the flows but are not drawn.
    expect(part.nodes.some((n) => n.technology === 'aws_security_group')).toBe(false);
  });

  test('a v4 state with modules and count: instances keyed, groups found through dependencies', () => {
    const sg = parse('terraform/aws_state_sg.json');
    expect(flows(sg)).toEqual([
      'internet -> tf:module.lemp.aws_lb.tQBgz',
      'tf:module.lemp.aws_launch_template.vIkyE -> tf:module.lemp.aws_db_instance.Cpbzf[0]',
      'tf:module.lemp.aws_lb.tQBgz -> tf:module.lemp.aws_launch_template.vIkyE',
    ]);
    const counted = parse('terraform/aws_state_with_count.json');
    expect(stores(counted)).toEqual([
      'tf:flexibleengine_blockstorage_volume_v2.PBbzj[0]',
      'tf:flexibleengine_blockstorage_volume_v2.PBbzj[1]',
    ]);
    expect(flows(counted)).toEqual([
      'tf:flexibleengine_compute_instance_v2.fllXa -> tf:flexibleengine_blockstorage_volume_v2.PBbzj[0]',
      'tf:flexibleengine_compute_instance_v2.fllXa -> tf:flexibleengine_blockstorage_volume_v2.PBbzj[1]',
    ]);
    const modules = parse('terraform/multi_module_state.json');
    expect(modules.nodes.map((n) => n.id)).toEqual([
      'tf:module.kapsule.scaleway_k8s_cluster_beta.cluster',
      'tf:module.node_pool.scaleway_k8s_pool_beta.nodes',
    ]);
    expect(parse('terraform/azure.tfstate').nodes.map((n) => n.boundary)).toEqual(['azurerm', 'azurerm']);
    expect(parse('terraform/empty.json')).toEqual({ nodes: [], flows: [] });
  });

  test('every secret-like attribute is redacted before anything is kept, whatever the format', () => {
    for (const name of [
      'terraform/version_3_state.json',
      'terraform/azure.tfstate',
      'state-v4-with-secrets.tfstate',
      'show-json-with-secrets.json',
    ]) {
      const part = parse(name);
      expect(leaksSecret(part.nodes.map((n) => n.attributes))).toBeUndefined();
      expect(JSON.stringify(part)).not.toMatch(/S3cr3t|hunter2|AKIA|BEGIN RSA|notify-live/);
    }
    const part = parse('state-v4-with-secrets.tfstate');
    const db = part.nodes.find((n) => n.id === 'tf:aws_db_instance.patients')!;
    expect(db.attributes).toMatchObject({ password: REDACTED, username: REDACTED, engine: 'postgres' });
    const green = part.nodes.find((n) => n.id === 'tf:aws_instance.app["green"]')!;
    expect(green.attributes).toMatchObject({
      private_key_pem: REDACTED,
      aws_access: REDACTED,
      connection: `postgres://${REDACTED}@patients-db:5432/app`,
    });
    expect(part.nodes.find((n) => n.id === 'tf:aws_instance.app["blue"]')!.attributes!.user_data).toBe(
      REDACTED,
    );
    // for_each keys, public ingress and the app-to-database rule.
    expect(flows(part)).toEqual([
      'internet -> tf:aws_instance.app["blue"]',
      'internet -> tf:aws_instance.app["green"]',
      'tf:aws_instance.app["blue"] -> tf:aws_db_instance.patients',
      'tf:aws_instance.app["green"] -> tf:aws_db_instance.patients',
    ]);
  });

  test('terraform show -json: nested modules, sensitive values redacted, dependencies as flows', () => {
    const part = parse('show-json-with-secrets.json');
    expect(stores(part)).toEqual(['tf:aws_s3_bucket.letters']);
    expect(flows(part)).toEqual(['tf:module.api.aws_lambda_function.api[0] -> tf:aws_s3_bucket.letters']);
    const api = part.nodes.find((n) => n.id === 'tf:module.api.aws_lambda_function.api[0]')!;
    expect(api.attributes).toMatchObject({ environment: [{ variables: REDACTED }] });
  });

  test.each([
    [
      'terraform/invalid_version_state.json',
      'invalid_version_state.json: version',
      /unknown Terraform state version 2/,
    ],
    [
      'terraform/error_missing_id.json',
      'error_missing_id.json: resources[0] (aws_db_instance.mydb) instances[0]',
      /no id/,
    ],
  ])('refuses %s, naming the element', (name, where, message) => {
    const result = readTerraform(path.basename(name), read(name));
    expect(result).toEqual({
      ok: false,
      error: { kind: 'bad-input', where, message: expect.stringMatching(message) },
    });
  });

  test.each([
    ['not JSON', '{"version": 4, "resources": [', 'state.json', /not JSON/],
    ['resources not a list', '{"version": 4, "resources": {}}', 'state.json: resources', /expected an array/],
    [
      'a resource without a type',
      '{"version": 4, "resources": [{"name": "x"}]}',
      'state.json: resources[0]',
      /type and a name/,
    ],
    ['no version at all', '{"resources": []}', 'state.json: version', /unknown Terraform state version null/],
  ])('refuses %s', (_label, text, where, message) => {
    expect(readTerraform('state.json', text)).toEqual({
      ok: false,
      error: { kind: 'bad-input', where, message: expect.stringMatching(message) },
    });
  });
});
