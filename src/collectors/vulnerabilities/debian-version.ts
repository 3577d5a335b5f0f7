// Debian version order (dpkg's verrevcmp), written here because the npm packages for it disagree with dpkg on
// a missing revision. Tested line by line against `dpkg --compare-versions`.

export interface DebianVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

/** Splits `[epoch:]upstream[-revision]`; undefined when the text cannot be a Debian version. */
export function parseDebianVersion(text: string): DebianVersion | undefined {
  const version = text.trim();
  if (version === '' || /\s/.test(version)) return undefined;
  const colon = version.indexOf(':');
  let epoch = '0';
  let rest = version;
  if (colon >= 0) {
    epoch = version.slice(0, colon);
    rest = version.slice(colon + 1);
    if (!/^\d+$/.test(epoch)) return undefined;
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (upstream === '' || !/^[A-Za-z0-9.+~:-]+$/.test(upstream) || !/^[A-Za-z0-9.+~]*$/.test(revision))
    return undefined;
  return { epoch: epoch.replace(/^0+(?=\d)/, ''), upstream, revision };
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** dpkg's weight of a character: `~` before the end of the string, letters before other symbols. */
function order(text: string, i: number): number {
  if (i >= text.length) return 0;
  const c = text.charCodeAt(i);
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126) return -1;
  return c + 256;
}

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(a, i);
      const bc = order(b, j);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (i < a.length && a.charCodeAt(i) === 48) i++;
    while (j < b.length && b.charCodeAt(j) === 48) j++;
    while (i < a.length && j < b.length && isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a.charCodeAt(i))) return 1;
    if (j < b.length && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/** Compares digit strings of any length without losing precision; leading zeros do not count. */
export function compareDigits(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && a.charCodeAt(i) === 48) i++;
  while (j < b.length && b.charCodeAt(j) === 48) j++;
  const length = a.length - i;
  if (length !== b.length - j) return length - (b.length - j);
  for (let k = 0; k < length; k++) {
    const d = a.charCodeAt(i + k) - b.charCodeAt(j + k);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function compareDebianParsed(a: DebianVersion, b: DebianVersion): number {
  return (
    Math.sign(compareDigits(a.epoch, b.epoch)) ||
    Math.sign(verrevcmp(a.upstream, b.upstream)) ||
    Math.sign(verrevcmp(a.revision, b.revision))
  );
}
