// Purls read directly in their plain form must mean exactly what packageurl-js says they mean: the same
// ecosystem, name and version, or the same refusal. Held to it on generated purls, plain and odd alike.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { componentOfPurl, libraryComponentOfPurl } from '../../../src/collectors/vulnerabilities/purl.ts';

const chars = (alphabet: string, minLength = 1, maxLength = 8) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
const plain = chars('abcXYZ09_.-');
// Near misses: escapes, spaces, dot segments, leading digits, case, separators where they do not belong.
const odd = fc.oneof(
  plain,
  chars('aZ9_.-%24ABf@ /:?#&=+~', 0, 8),
  fc.constantFrom('.', '..', '%40', '%2B', '%2b', '%3A', '%7e', '%zz', '', 'Debian', 'DEBIAN', 'v1.2.3'),
);
const segment = fc.oneof({ weight: 4, arbitrary: plain }, { weight: 1, arbitrary: odd });
const type = fc.constantFrom(
  'npm',
  'pypi',
  'maven',
  'golang',
  'deb',
  'NPM',
  'cargo',
  'gem',
  'pub',
  'generic',
);
const version = fc.oneof(
  chars('0123456789.', 1, 8),
  fc.constantFrom('1.2.3', 'v1.2.3', 'v1.2', 'v01.2.3', 'V1.2.3', '1:2.3-4+deb12u1', '2.0~rc1', '1.0.Final'),
  fc.constantFrom('1.0%2Bdeb12u1', '1%3A2.3', '1.0%7E1', '1.0%25', '1.0%', '1.0@2', ''),
  odd,
);
const qualifiers = fc.array(
  fc.tuple(
    fc.constantFrom('distro', 'DISTRO', 'arch', 'type', '1x', '', 'a b'),
    fc.oneof(fc.constantFrom('debian-12', 'bookworm', '11', 'jar', ''), odd),
  ),
  { maxLength: 3 },
);
const path = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 3 }),
  // Debian's namespace, where the distro qualifier decides the ecosystem.
  fc.tuple(fc.constantFrom('debian', 'Debian', 'ubuntu'), plain),
);
const purl = fc
  .tuple(
    fc.constantFrom('pkg:', 'pkg:', 'pkg:', 'PKG:', 'pkg://', 'purl:'),
    type,
    path,
    fc.option(version, { nil: undefined }),
    fc.option(qualifiers, { nil: undefined }),
    fc.option(odd, { nil: undefined, freq: 10 }),
  )
  .map(
    ([scheme, t, path, v, q, subpath]) =>
      `${scheme}${t}/${path.join('/')}${v === undefined ? '' : `@${v}`}` +
      `${q === undefined ? '' : `?${q.map(([k, x]) => `${k}=${x}`).join('&')}`}` +
      `${subpath === undefined ? '' : `#${subpath}`}`,
  );

describe('purls', () => {
  test('read directly or by packageurl-js, a purl means the same', () => {
    fc.assert(
      fc.property(purl, fc.constantFrom(undefined, '12', 'trixie'), (text, distro) => {
        expect(componentOfPurl(text, distro)).toEqual(libraryComponentOfPurl(text, distro));
      }),
      { numRuns: 20_000 },
    );
  });

  test('the distro qualifier: any case, an empty one ignored, the last one kept', () => {
    const pair = fc.tuple(
      fc.constantFrom('distro', 'DISTRO', 'Distro', 'arch'),
      fc.constantFrom('', '11', 'debian-12', 'bookworm', 'mars'),
    );
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 4 }), fc.constantFrom(undefined, '13'), (pairs, distro) => {
        const text = `pkg:deb/debian/zlib@1.2.13?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
        expect(componentOfPurl(text, distro)).toEqual(libraryComponentOfPurl(text, distro));
      }),
      { numRuns: 2_000 },
    );
  });

  test.each([
    ['pkg:npm/%40Scope/Lib@1.0.0', { ecosystem: 'npm', name: '@scope/lib', version: '1.0.0' }],
    ['pkg:pypi/Zope_Interface@5.0', { ecosystem: 'PyPI', name: 'zope-interface', version: '5.0' }],
    [
      'pkg:maven/org.Example/Thing@1.0.Final?type=jar',
      { ecosystem: 'Maven', name: 'org.Example:Thing', version: '1.0.Final' },
    ],
    [
      'pkg:golang/github.com/Org/mod@v1.2.3',
      { ecosystem: 'Go', name: 'github.com/Org/mod', version: '1.2.3' },
    ],
    [
      'pkg:deb/debian/openssl@3.0.11-1~deb12u2%2Bb1?arch=amd64&distro=debian-12',
      { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u2+b1' },
    ],
    ['pkg:deb/ubuntu/openssl@3.0.2', { ecosystem: 'deb/ubuntu', name: 'openssl', version: '3.0.2' }],
    ['pkg:maven/thing@1.0', { error: expect.stringMatching(/^invalid purl "pkg:maven\/thing@1\.0": /) }],
  ])('%s', (text, expected) => {
    expect(componentOfPurl(text)).toEqual(expected);
    expect(libraryComponentOfPurl(text)).toEqual(expected);
  });
});
