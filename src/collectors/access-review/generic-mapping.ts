// The column-mapping file for a `generic-csv` identity export, YAML or JSON. Its own module, loaded only when a
// mapping is given: the YAML reader and the schema library cost a tenth of a second to load, and most
// collections never need them.
import YAML from 'yaml';
import { z } from 'zod';
import { InputError } from './input-file.ts';

/** The column-mapping file for `generic-csv`: our field name -> the column in the export. */
export const GenericMappingSchema = z
  .object({
    columns: z
      .object({
        login: z.string(),
        id: z.string().optional(),
        email: z.string().optional(),
        name: z.string().optional(),
        employeeNumber: z.string().optional(),
        enabled: z.string().optional(),
        lastSignIn: z.string().optional(),
        created: z.string().optional(),
        mfa: z.string().optional(),
        privileged: z.string().optional(),
        groups: z.string().optional(),
        type: z.string().optional(),
      })
      .strict(),
    /** What separates several groups in the groups cell. */
    groupSeparator: z.string().min(1).default(';'),
  })
  .strict();
export type GenericMapping = z.infer<typeof GenericMappingSchema>;

export function parseGenericMapping(source: string, file: string): GenericMapping {
  let raw: unknown;
  try {
    raw = YAML.parse(source);
  } catch (e) {
    throw new InputError(file, null, `the mapping file is not YAML or JSON: ${(e as Error).message}`);
  }
  const parsed = GenericMappingSchema.safeParse(raw);
  if (!parsed.success)
    throw new InputError(
      file,
      null,
      `the mapping file does not fit: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
