// Reads the declared YAML: what infrastructure cannot show. The classification, owner, location and retention
// of each discovered store, third-party processors, paper records, and flows nobody can discover.
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { failure, success, type Result } from '../../domain/result.ts';

const classification = z.enum(['personal', 'special-category', 'none']);

const facts = {
  classification,
  owner: z.string().min(1).optional(),
  location: z.string().min(1).optional(),
  retention: z.string().min(1).optional(),
  leavesUk: z.boolean().optional(),
  purpose: z.string().optional(),
};

const declarationSchema = z
  .object({
    stores: z
      .array(z.object({ id: z.string().min(1), name: z.string().min(1).optional(), ...facts }).strict())
      .default([]),
    processors: z
      .array(
        z
          .object({
            id: z.string().min(1).optional(),
            name: z.string().min(1),
            ...facts,
            receivesFrom: z.array(z.string().min(1)).default([]),
          })
          .strict(),
      )
      .default([]),
    paper: z
      .array(z.object({ id: z.string().min(1).optional(), name: z.string().min(1), ...facts }).strict())
      .default([]),
    flows: z
      .array(
        z
          .object({
            from: z.string().min(1),
            to: z.string().min(1),
            classification: classification.optional(),
            description: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type Declaration = z.infer<typeof declarationSchema>;
export type DeclaredFacts = Pick<
  Declaration['stores'][number],
  'classification' | 'owner' | 'location' | 'retention' | 'leavesUk'
>;

export const EMPTY_DECLARATION: Declaration = { stores: [], processors: [], paper: [], flows: [] };

export function readDeclaration(file: string, text: string): Result<Declaration> {
  let doc: Document;
  try {
    doc = parseDocument(text, { prettyErrors: true });
  } catch (error) {
    return failure('bad-input', `not YAML: ${(error as Error).message}`, file);
  }
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    return failure(
      'bad-input',
      `not YAML: ${problem.message.split('\n')[0]}`,
      `${file}${line ? `:${line}` : ''}`,
    );
  }
  const parsed = declarationSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    return failure('bad-input', issue.message, `${file}${lineOf(doc, issue.path, text)}: ${path || '(top)'}`);
  }
  return success(parsed.data);
}

/** The line of the YAML node at `path`, or of the nearest parent that exists, as `:12`. */
function lineOf(doc: Document, path: readonly PropertyKey[], source: string): string {
  let node: unknown = doc.contents;
  let found = node;
  for (const key of path) {
    if (isMap(node)) node = node.get(String(key), true);
    else if (isSeq(node)) node = node.get(Number(key), true);
    else break;
    if (node === undefined) break;
    found = node;
  }
  const range = (found as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return '';
  return `:${source.slice(0, range[0]).split('\n').length}`;
}
