// Reads a year's catalogue from YAML files, checks each against its schema and the whole for consistency,
// and reports every problem with its file, line and path.
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import {
  cafObjectiveFileSchema,
  catalogueFileSchema,
  profilesFileSchema,
  standardsFileSchema,
} from '../domain/catalogue/schema.ts';
import { assembleCatalogue, type Catalogue, type CatalogueFiles } from '../domain/catalogue/model.ts';

/** The catalogue folder shipped with openDSPT. */
export const DEFAULT_CATALOGUE_DIR = fileURLToPath(new URL('../../catalogue', import.meta.url));

export interface LoadProblem {
  file: string;
  line?: number;
  path: (string | number)[];
  message: string;
}

export type LoadResult = { ok: true; catalogue: Catalogue } | { ok: false; problems: LoadProblem[] };

/** One line per problem: `catalogue/2025-26/standards.yaml:120 standards[2].assertions[0].id: expected ...`. */
export function formatLoadProblem(p: LoadProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  const at = p.path.length === 0 ? '' : ` ${formatPath(p.path)}`;
  return `${where}${at}: ${p.message}`;
}

function formatPath(parts: (string | number)[]): string {
  return parts
    .map((part, i) =>
      typeof part === 'number'
        ? `[${part}]`
        : /^[A-Za-z_][\w-]*$/.test(part)
          ? i === 0
            ? part
            : `.${part}`
          : `["${part}"]`,
    )
    .join('');
}

/** The years for which a catalogue folder exists, newest last. */
export async function catalogueYears(dir = DEFAULT_CATALOGUE_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && /^\d{4}-\d{2}$/.test(e.name))
    .map((e) => e.name)
    .sort();
}

interface ParsedFile<T> {
  file: string;
  data?: T;
  lineOf: (p: (string | number)[]) => number | undefined;
}

async function readYaml<S extends z.ZodType>(
  file: string,
  display: string,
  schema: S,
  problems: LoadProblem[],
): Promise<ParsedFile<z.infer<S>>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    problems.push({ file: display, path: [], message: 'expected this file to exist and be readable' });
    return { file: display, lineOf: () => undefined };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const lineOf = (p: (string | number)[]): number | undefined => {
    // Walk up the path until a node exists (a missing key is reported at its parent).
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors)
      problems.push({
        file: display,
        line: e.linePos?.[0]?.line,
        path: [],
        message: `not valid YAML: ${e.message.split('\n')[0]}`,
      });
    return { file: display, lineOf };
  }
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const p = issue.path.map((x) => (typeof x === 'symbol' ? String(x) : x));
      problems.push({ file: display, line: lineOf(p), path: p, message: issue.message });
    }
    return { file: display, lineOf };
  }
  return { file: display, data: parsed.data, lineOf };
}

const SCHEMA_SOURCE = fileURLToPath(new URL('../domain/catalogue/schema.ts', import.meta.url));

/**
 * A fingerprint of the year's files and of the schema that checks them. Parsing the YAML and checking it is
 * most of a CLI command's start-up, so files that checked cleanly once are kept, parsed, in a cache keyed by it.
 */
async function fingerprint(base: string): Promise<string | undefined> {
  try {
    const hash = createHash('sha256').update(await readFile(SCHEMA_SOURCE));
    const cafDir = path.join(base, 'caf');
    const files = [
      'catalogue.yaml',
      'standards.yaml',
      ...(existsSync(cafDir) ? (await readdir(cafDir)).sort().map((f) => `caf/${f}`) : []),
    ];
    for (const f of files) hash.update(f).update(await readFile(path.join(base, f)));
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

const cachePath = (key: string) => path.join(tmpdir(), `opendspt-catalogue-${key}.json`);

/** Load and check the catalogue of `year` (default: the newest) from `dir`. */
export async function loadCatalogue(options: { dir?: string; year?: string } = {}): Promise<LoadResult> {
  const dir = options.dir ?? DEFAULT_CATALOGUE_DIR;
  const years = existsSync(dir) ? await catalogueYears(dir) : [];
  const year = options.year ?? years.at(-1);
  const key = year && years.includes(year) ? await fingerprint(path.join(dir, year)) : undefined;
  if (key) {
    try {
      const files = JSON.parse(await readFile(cachePath(key), 'utf8')) as CatalogueFiles;
      const assembled = assembleCatalogue(files);
      if (assembled.ok) return assembled;
    } catch {
      // No cache yet, or an unreadable one: read the files.
    }
  }
  const loaded = await loadCatalogueFiles(dir, options.year);
  if (loaded.ok && key) {
    const temp = `${cachePath(key)}.${process.pid}`;
    await writeFile(temp, JSON.stringify(loaded.files))
      .then(() => rename(temp, cachePath(key)))
      .catch(() => undefined);
  }
  return loaded.ok ? { ok: true, catalogue: loaded.catalogue } : loaded;
}

async function loadCatalogueFiles(
  dir: string,
  requestedYear: string | undefined,
): Promise<
  { ok: true; catalogue: Catalogue; files: CatalogueFiles } | { ok: false; problems: LoadProblem[] }
> {
  if (!existsSync(dir))
    return { ok: false, problems: [{ file: dir, path: [], message: 'expected a catalogue folder here' }] };
  const years = await catalogueYears(dir);
  const year = requestedYear ?? years.at(-1);
  if (!year || !years.includes(year))
    return {
      ok: false,
      problems: [
        {
          file: dir,
          path: [],
          message: `no catalogue for year ${year ?? '(none)'}; found ${years.join(', ') || 'none'}`,
        },
      ],
    };
  const base = path.join(dir, year);
  const show = (f: string) => path.relative(process.cwd(), path.join(base, f)) || f;
  const problems: LoadProblem[] = [];
  const catalogue = await readYaml(
    path.join(base, 'catalogue.yaml'),
    show('catalogue.yaml'),
    catalogueFileSchema,
    problems,
  );
  const standards = await readYaml(
    path.join(base, 'standards.yaml'),
    show('standards.yaml'),
    standardsFileSchema,
    problems,
  );
  const profiles = await readYaml(
    path.join(base, 'caf', 'profiles.yaml'),
    show('caf/profiles.yaml'),
    profilesFileSchema,
    problems,
  );
  const cafDir = path.join(base, 'caf');
  const objectiveFiles = existsSync(cafDir)
    ? (await readdir(cafDir)).filter((f) => /^objective-[a-e]\.yaml$/.test(f)).sort()
    : [];
  const objectives = await Promise.all(
    objectiveFiles.map((f) =>
      readYaml(path.join(cafDir, f), show(`caf/${f}`), cafObjectiveFileSchema, problems),
    ),
  );
  if (catalogue.data && catalogue.data.year !== year)
    problems.push({
      file: catalogue.file,
      line: catalogue.lineOf(['year']),
      path: ['year'],
      message: `expected ${year}, the name of its folder`,
    });
  if (problems.length > 0 || !catalogue.data || !standards.data || !profiles.data)
    return { ok: false, problems };

  const files: CatalogueFiles = {
    catalogue: { file: catalogue.file, data: catalogue.data },
    standards: { file: standards.file, data: standards.data },
    profiles: { file: profiles.file, data: profiles.data },
    objectives: objectives.flatMap((o) => (o.data ? [{ file: o.file, data: o.data }] : [])),
  };
  const assembled = assembleCatalogue(files);
  if (assembled.ok) return { ok: true, catalogue: assembled.catalogue, files };
  const lineFinders = new Map<string, ParsedFile<unknown>['lineOf']>([
    [catalogue.file, catalogue.lineOf],
    [standards.file, standards.lineOf],
    [profiles.file, profiles.lineOf],
    ...objectives.map((o) => [o.file, o.lineOf] as const),
  ]);
  return {
    ok: false,
    problems: assembled.problems.map((p) => ({ ...p, line: lineFinders.get(p.file)?.(p.path) })),
  };
}
