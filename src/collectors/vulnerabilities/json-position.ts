// Where a JSON text goes wrong, as line and column: Node's JSON.parse does not always say, and a user with a
// 300 MB SBOM needs to know where to look. Run only after JSON.parse has failed.

/** The offset of the first syntax error in `text`, or the length of the text when it ends too soon. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = () => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?\d[\d.eE+-]*/.exec(text.slice(i, i + 400));
      if (!m || !Number.isFinite(Number(m[0]))) fail();
      i += m![0].length;
    } else {
      for (const word of ['true', 'false', 'null'])
        if (text.startsWith(word, i)) {
          i += word.length;
          return;
        }
      fail();
    }
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return i;
  } catch (at) {
    if (typeof at === 'number') return at;
    throw at;
  }
}

/** "line L, column C" of the first syntax error. */
export function jsonErrorPlace(text: string): string {
  const offset = jsonErrorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}
