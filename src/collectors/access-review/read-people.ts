// Reads the people side: the HR export (column names matched through a short list of synonyms, so the
// usual ESR, iTrent and spreadsheet headings all work), training completions, and the role-to-group matrix.
import { readCsvRecords, readCsvRows, requireColumn, type CsvRow } from './csv-records.ts';
import { allRows, HrTableBuilder, keyRanges, WordCodes, type HrTable } from './hr-table.ts';
import { InputError, type OpenedInput } from './input-file.ts';
import { KeyIndex, type KeyRanges } from './key-index.ts';
import { normaliseEmail, normaliseEmployeeNumber, type RoleMatrix, type TrainingRecord } from './model.ts';
import { DayPool, text } from './parse-values.ts';

/** The names each HR column may go by (compared without case, spaces, underscores or hyphens). */
export const HR_SYNONYMS = {
  employeeNumber: [
    'employee number',
    'employee no',
    'employee id',
    'staff number',
    'staff id',
    'assignment number',
    'payroll number',
    'person number',
  ],
  email: ['email', 'e-mail', 'email address', 'work email', 'upn', 'user principal name'],
  name: ['name', 'full name', 'employee name', 'display name'],
  firstName: ['first name', 'forename', 'given name'],
  lastName: ['last name', 'surname', 'family name'],
  status: ['status', 'employment status', 'assignment status'],
  startDate: ['start date', 'hire date', 'date started', 'employment start date'],
  leaveDate: ['leave date', 'leaving date', 'end date', 'termination date', 'date left', 'leaver date'],
  jobRole: ['job role', 'job title', 'role', 'position', 'post title'],
  department: ['department', 'team', 'directorate', 'organisation', 'cost centre'],
  manager: ['manager', 'line manager', 'manager email', 'manager employee number', 'supervisor'],
} as const;

export const TRAINING_SYNONYMS = {
  employeeNumber: HR_SYNONYMS.employeeNumber,
  email: HR_SYNONYMS.email,
  course: ['course', 'course name', 'module', 'training', 'competence', 'competency name'],
  completed: ['completion date', 'completed', 'date completed', 'completed on', 'achieved date', 'date'],
} as const;

export interface HrRead {
  table: HrTable;
  /** Where each row's employee number and e-mail stand in the table's text. */
  ranges: { numbers: KeyRanges; emails: KeyRanges };
  /** The index by employee number: built to check for duplicates, and the join's. */
  byNumber: KeyIndex;
}

export async function readHr(input: OpenedInput): Promise<HrRead> {
  const file = input.name;
  const table = new HrTableBuilder();
  /** Employee numbers are checked for repeats once the rows are read, or at the first other problem. */
  const index = () => {
    const built = table.build();
    const ranges = keyRanges(built);
    const { numbers } = ranges;
    const byNumber = new KeyIndex(built.text, numbers);
    byNumber.addRows(allRows(built.rows), (row, earlier) => {
      const at = numbers.starts[row]!;
      throw new InputError(
        file,
        built.lines[row]!,
        `employee number ${built.text.slice(at, at + numbers.lengths[row]!)} appears twice (first on line ${built.lines[earlier]}); each person needs one row`,
      );
    });
    return { table: built, ranges, byNumber };
  };
  try {
    await readCsvRows(input.chunks, file, (columns) => {
      const s = HR_SYNONYMS;
      const at = (names: readonly string[]) => columns.index(...names);
      const employee = requireColumn(columns, file, 'employee number', [...s.employeeNumber]);
      const [email, name, first, last, status, start, leave, role, dept, manager] = [
        at(s.email),
        at(s.name),
        at(s.firstName),
        at(s.lastName),
        at(s.status),
        at(s.startDate),
        at(s.leaveDate),
        at(s.jobRole),
        at(s.department),
        at(s.manager),
      ];
      if (leave === -1 && status === -1)
        requireColumn(columns, file, 'leave date or status', [...s.leaveDate, ...s.status]);
      const startLabel = columns.header[start] ?? 'start date';
      const leaveLabel = columns.header[leave] ?? 'leave date';
      return (row, line) => {
        const employeeNumber = normaliseEmployeeNumber(row.value(employee));
        if (employeeNumber === null) throw new InputError(file, line, 'this row has no employee number');
        const fullName =
          row.value(name) ??
          ([row.value(first), row.value(last)].filter(Boolean).join(' ') || employeeNumber);
        table.add(
          employeeNumber,
          normaliseEmail(row.value(email)),
          fullName,
          row.code(status, table.words),
          row.code(role, table.words),
          row.code(dept, table.words),
          row.code(manager, table.words),
          row.dateKey(start, file, line, startLabel),
          row.dateKey(leave, file, line, leaveLabel),
          line,
        );
      };
    });
  } catch (e) {
    // A repeated employee number before the problem is the first problem.
    if (e instanceof InputError) index();
    throw e;
  }
  // An empty list would make every account look unowned: far more likely the wrong file than an empty organisation.
  if (table.rows === 0) throw new InputError(file, null, 'the HR export has a header but no people');
  return index();
}

/** Streams training completions to `onRecord` without keeping them: two million rows need not sit in memory. */
export async function readTraining(
  input: OpenedInput,
  onRecord: (record: TrainingRecord) => void,
): Promise<number> {
  const file = input.name;
  const days = new DayPool();
  // A few course names repeat across every row: one copy of each.
  const courses = new WordCodes();
  return readCsvRows(input.chunks, file, (columns) => {
    const s = TRAINING_SYNONYMS;
    const employee = columns.index(...s.employeeNumber);
    const email = columns.index(...s.email);
    if (employee === -1 && email === -1)
      requireColumn(columns, file, 'employee number or e-mail', [...s.employeeNumber, ...s.email]);
    const course = requireColumn(columns, file, 'course', [...s.course]);
    const completed = requireColumn(columns, file, 'completion date', [...s.completed]);
    const header = columns.header[completed]!;
    // One record for every row, its identity read from the row in hand only when the tally asks for it.
    let current: CsvRow | undefined;
    const record = {
      course: '',
      completed: '',
      line: 0,
      get employeeNumber() {
        return normaliseEmployeeNumber(current!.value(employee));
      },
      get email() {
        return normaliseEmail(current!.value(email));
      },
    };
    return (row, line) => {
      const date = row.date(completed, days, file, line, header);
      if (date === null) return; // enrolled but not completed
      const code = row.code(course, courses);
      current = row;
      record.course = code === -1 ? '' : courses.words[code]!;
      record.completed = date;
      record.line = line;
      onRecord(record);
    };
  });
}

/** A CSV of `role,group` pairs: each row allows one group to one HR job role. */
export async function readMatrix(input: OpenedInput): Promise<RoleMatrix> {
  const file = input.name;
  const matrix: RoleMatrix = new Map();
  await readCsvRecords(input.chunks, file, (columns) => {
    const role = requireColumn(columns, file, 'role', ['role', 'job role', 'job title']);
    const group = requireColumn(columns, file, 'group', ['group', 'groups', 'group name', 'entitlement']);
    return (row, line) => {
      const r = text(row[role])?.toLowerCase();
      if (!r) throw new InputError(file, line, 'this row has no role');
      const set = matrix.get(r) ?? new Set<string>();
      for (const g of (row[group] ?? '').split(';')) if (g.trim()) set.add(g.trim().toLowerCase());
      matrix.set(r, set);
    };
  });
  return matrix;
}
