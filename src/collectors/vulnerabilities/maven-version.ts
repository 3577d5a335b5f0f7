// Maven's ComparableVersion order (as in maven-artifact 3.8), written here so that every rule is visible and
// tested: numbers, qualifiers with their aliases, and `-` opening a nested list.

type Item =
  { kind: 'int'; digits: string } | { kind: 'string'; value: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function stringItem(raw: string, followedByDigit: boolean): Item {
  let value = raw;
  if (followedByDigit && value.length === 1) {
    if (value === 'a') value = 'alpha';
    else if (value === 'b') value = 'beta';
    else if (value === 'm') value = 'milestone';
  }
  return { kind: 'string', value: Object.hasOwn(ALIASES, value) ? ALIASES[value]! : value };
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? { kind: 'int', digits: text.replace(/^0+/, '') } : stringItem(text, false);
}

function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return item.digits === '';
  if (item.kind === 'string') return comparableQualifier(item.value) === RELEASE_INDEX;
  return item.items.length === 0;
}

/** Drops trailing null items (0, "", empty lists), stopping at the first non-list item that is not null. */
function normalize(list: Item & { kind: 'list' }): void {
  for (let i = list.items.length - 1; i >= 0; i--) {
    const last = list.items[i]!;
    if (isNull(last)) list.items.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

export function parseMavenVersion(text: string): Item {
  const version = text.trim().toLowerCase();
  const root: Item & { kind: 'list' } = { kind: 'list', items: [] };
  let list = root;
  const stack: (Item & { kind: 'list' })[] = [root];
  let isDigit = false;
  let start = 0;
  const push = () => {
    const next: Item & { kind: 'list' } = { kind: 'list', items: [] };
    list.items.push(next);
    list = next;
    stack.push(next);
  };
  for (let i = 0; i < version.length; i++) {
    const c = version[i]!;
    if (c === '.') {
      list.items.push(
        i === start ? { kind: 'int', digits: '' } : parseItem(isDigit, version.slice(start, i)),
      );
      start = i + 1;
    } else if (c === '-') {
      list.items.push(
        i === start ? { kind: 'int', digits: '' } : parseItem(isDigit, version.slice(start, i)),
      );
      start = i + 1;
      push();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        // Maven 3.8 reads ".X1" as "-X1": a qualifier after a dot opens a list, like one after a dash.
        if (list.items.length > 0) push();
        list.items.push(stringItem(version.slice(start, i), true));
        start = i;
        push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, version.slice(start, i)));
        start = i;
        push();
      }
      isDigit = false;
    }
  }
  if (version.length > start) {
    // The same rule for a final qualifier: "1.0.RC" is "1.0-RC".
    if (!isDigit && list.items.length > 0) push();
    list.items.push(parseItem(isDigit, version.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop()!);
  return root;
}

function compareItem(a: Item, b: Item | undefined): number {
  switch (a.kind) {
    case 'int':
      if (b === undefined) return a.digits === '' ? 0 : 1;
      if (b.kind === 'int') {
        if (a.digits.length !== b.digits.length) return a.digits.length < b.digits.length ? -1 : 1;
        return a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0;
      }
      return 1;
    case 'string': {
      if (b === undefined) return compareText(comparableQualifier(a.value), RELEASE_INDEX);
      if (b.kind === 'string') return compareText(comparableQualifier(a.value), comparableQualifier(b.value));
      return -1;
    }
    case 'list': {
      if (b === undefined) return a.items.length === 0 ? 0 : compareItem(a.items[0]!, undefined);
      if (b.kind === 'int') return -1;
      if (b.kind === 'string') return 1;
      const n = Math.max(a.items.length, b.items.length);
      for (let i = 0; i < n; i++) {
        const l = a.items[i];
        const r = b.items[i];
        const result = l === undefined ? (r === undefined ? 0 : -compareItem(r, l)) : compareItem(l, r);
        if (result !== 0) return result;
      }
      return 0;
    }
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type MavenVersion = ReturnType<typeof parseMavenVersion>;

export function compareMavenParsed(a: MavenVersion, b: MavenVersion): number {
  return Math.sign(compareItem(a, b));
}
