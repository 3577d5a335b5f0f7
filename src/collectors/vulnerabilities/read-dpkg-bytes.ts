// A dpkg status file read from its bytes: each installed package's source name and version are handed over as
// places in the bytes, so the fleet makes strings only of package versions it has not met. Only plainly written
// files are read here: a problem in the file, or whitespace beyond ASCII where it could matter, leaves the file
// to the text reader in read-inventory.ts, which names the problem. A test holds the two to the same answers.
import { debianRelease } from './inventory.ts';
import { fieldsSource, isInstalled, UNKNOWN_RELEASE, type InventoryShape } from './read-inventory.ts';
import type { BytesSink } from './read-inventory-bytes.ts';
import { bytesAre as same, bytesOf } from './json-bytes.ts';

const NEWLINE = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;

const PACKAGE = bytesOf('Package');
const STATUS = bytesOf('Status');
const VERSION = bytesOf('Version');
const SOURCE = bytesOf('Source');
const INSTALLED = bytesOf('install ok installed');

/** ASCII whitespace, as String.prototype.trim sees it below 0x80. */
const isSpace = (c: number) => c === SPACE || (c >= TAB && c <= CR);

/** Thrown where the file is to be read as text. */
const AS_TEXT = new Error('read as text');

/**
 * Reads a dpkg status file from `start` (past a byte order mark) into the sink; undefined when it is to be read
 * as text. The sink may have been given components by then: the caller drops them.
 */
export function readDpkgBytes(
  fileName: string,
  b: Uint8Array,
  start: number,
  distro: string | undefined,
  sink: BytesSink,
): InventoryShape | undefined {
  const release = debianRelease(distro);
  // A --distro that names no release refuses the file: the text reader says so.
  if (distro !== undefined && release === undefined) return undefined;
  if (release === undefined) sink.problem(fileName, UNKNOWN_RELEASE);
  const ecosystem = release ? `Debian:${release}` : 'Debian';
  const text = (from: number, to: number) => Buffer.from(b.buffer, b.byteOffset + from, to - from).toString();
  // The stanza being read: where the fields a component needs lie; any field at all makes it a stanza.
  let fields = false;
  let name = -1;
  let nameEnd = -1;
  let status = -1;
  let statusEnd = -1;
  let version = -1;
  let versionEnd = -1;
  let source = -1;
  let sourceEnd = -1;

  const flush = () => {
    if (!fields) return;
    fields = false;
    const n = name;
    const nEnd = nameEnd;
    const v = version;
    const vEnd = versionEnd;
    const s = status;
    const sEnd = statusEnd;
    const src = source;
    const srcEnd = sourceEnd;
    name = nameEnd = status = statusEnd = version = versionEnd = source = sourceEnd = -1;
    // A stanza without a Package field is a problem.
    if (n === nEnd) throw AS_TEXT;
    if (!same(b, s, sEnd, INSTALLED) && !isInstalled(s < 0 ? '' : text(s, sEnd))) return;
    // A package without a Version is a problem.
    if (v === vEnd) throw AS_TEXT;
    if (src === srcEnd) return sink.named(sink.place(), ecosystem, n, nEnd, v, vEnd);
    let spaced = false;
    for (let i = src; i < srcEnd; i++) {
      const c = b[i]!;
      if (c >= 0x80) throw AS_TEXT;
      if (isSpace(c)) spaced = true;
    }
    if (!spaced) return sink.named(sink.place(), ecosystem, src, srcEnd, v, vEnd);
    const named = fieldsSource(text(src, srcEnd), text(n, nEnd), text(v, vEnd));
    sink.component(sink.place(), ecosystem, named.name, named.version);
  };

  try {
    let inField = false;
    const n = b.length;
    for (let pos = start; pos <= n;) {
      let end = b.indexOf(NEWLINE, pos);
      if (end < 0) end = n;
      const stop = end > pos && b[end - 1] === CR ? end - 1 : end;
      const first = stop > pos ? b[pos]! : -1;
      if (first > SPACE && first < 0x7f) {
        // "Field: value": a line starting with a printable character must have its colon after the name.
        if (first === COLON) throw AS_TEXT;
        let colon = pos + 1;
        while (colon < stop && b[colon] !== COLON) colon++;
        if (colon >= stop) throw AS_TEXT;
        inField = true;
        fields = true;
        const length = colon - pos;
        if (length === 7 || length === 6) {
          // The value, trimmed of whitespace; whitespace beyond ASCII at either end is left to the text reader.
          let from = colon + 1;
          let to = stop;
          while (from < to && isSpace(b[from]!)) from++;
          while (to > from && isSpace(b[to - 1]!)) to--;
          const wide = to > from && (b[from]! >= 0x80 || b[to - 1]! >= 0x80);
          if (same(b, pos, colon, PACKAGE)) {
            if (wide) throw AS_TEXT;
            name = from;
            nameEnd = to;
          } else if (same(b, pos, colon, STATUS)) {
            if (wide) throw AS_TEXT;
            status = from;
            statusEnd = to;
          } else if (same(b, pos, colon, VERSION)) {
            if (wide) throw AS_TEXT;
            version = from;
            versionEnd = to;
          } else if (same(b, pos, colon, SOURCE)) {
            if (wide) throw AS_TEXT;
            source = from;
            sourceEnd = to;
          }
        }
      } else {
        // A blank line ends a stanza; a line starting with a space or tab continues a field. Anything else, or
        // a line that only whitespace beyond ASCII could make blank, is for the text reader.
        let printable = false;
        let wide = false;
        for (let i = pos; i < stop; i++) {
          const c = b[i]!;
          if (c >= 0x80) wide = true;
          else if (!isSpace(c)) printable = true;
        }
        if (!printable) {
          if (wide) throw AS_TEXT;
          flush();
          inField = false;
        } else if ((first === SPACE || first === TAB) && inField) {
          // A continuation line: nothing of it is wanted.
        } else throw AS_TEXT;
      }
      pos = end + 1;
    }
    flush();
  } catch (e) {
    if (e === AS_TEXT) return undefined;
    throw e;
  }
  return { format: 'dpkg-status', formatLabel: 'dpkg status' };
}
