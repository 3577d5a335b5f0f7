// What the readers produce: components, each with the system it came from, in OSV's terms (ecosystem, package
// name, version), and the problems met on the way, each naming its file and element.

export interface Component {
  system: string;
  /** OSV's ecosystem name (`npm`, `PyPI`, `Maven`, `Go`, `Debian:12`), or the purl type when we cannot check it. */
  ecosystem: string;
  name: string;
  /** Empty when the inventory gives none: such a component cannot be checked. */
  version: string;
}

export interface InventoryProblem {
  where: string;
  message: string;
}

export type InventoryFormat = 'cyclonedx' | 'spdx' | 'dpkg-status' | 'package-lock';

export interface Inventory {
  format: InventoryFormat;
  /** For example "CycloneDX 1.4" or "package-lock v3". */
  formatLabel: string;
  components: Component[];
  /** Components skipped (a bad purl, say); each one counts, none stops the scan. */
  problems: InventoryProblem[];
}

export interface ReadOptions {
  /** The system the components belong to; the file name when absent. */
  system?: string;
  /** The Debian release for dpkg status files and deb purls without one (`12`, `bookworm`, `debian-12`). */
  distro?: string;
}

const DEBIAN_CODENAMES: Record<string, string> = {
  buzz: '1.1',
  hamm: '2.0',
  potato: '2.2',
  woody: '3.0',
  sarge: '3.1',
  etch: '4',
  lenny: '5',
  squeeze: '6',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  sid: 'sid',
  unstable: 'sid',
};

/** A Debian release as OSV names it (`12`), from `12`, `12.5`, `bookworm` or `debian-12`; undefined if unknown. */
export function debianRelease(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const t = text
    .trim()
    .toLowerCase()
    .replace(/^debian[-:]?/, '');
  if (Object.hasOwn(DEBIAN_CODENAMES, t)) return DEBIAN_CODENAMES[t];
  const m = /^(\d+)[.\d]*$/.exec(t);
  return m ? m[1] : undefined;
}

/** The release named in an os-release file (`VERSION_ID`, else `VERSION_CODENAME`), if it is Debian. */
export function releaseFromOsRelease(text: string): string | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) fields.set(m[1]!, m[2]!.replace(/^["']|["']$/g, ''));
  }
  if (fields.get('ID') !== 'debian') return undefined;
  return debianRelease(fields.get('VERSION_ID')) ?? debianRelease(fields.get('VERSION_CODENAME'));
}
