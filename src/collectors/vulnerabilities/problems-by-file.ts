// The problems of inventories read out of turn, by several threads at once, kept by file so that they are added
// to the fleet in file order once every file is read: the report then lists the same first problems, and the
// same count, as one thread reading the files in turn would. Only the first MAX_PROBLEMS_KEPT in file order can
// ever be listed, so no more than that many (and one file's worth) are held for long.
import { addProblem, MAX_PROBLEMS_KEPT, type Fleet } from './fleet.ts';
import type { InventoryProblem } from './inventory.ts';

export class ProblemsByFile {
  private readonly byFile = new Map<number, readonly InventoryProblem[]>();
  /** Problems held, and problems told (held or not). */
  private held = 0;
  private told = 0;

  /** The problems of the file at `file` in the order of the files. */
  add(file: number, problems: readonly InventoryProblem[]): void {
    this.told += problems.length;
    if (problems.length === 0) return;
    const kept = problems.length > MAX_PROBLEMS_KEPT ? problems.slice(0, MAX_PROBLEMS_KEPT) : problems;
    this.byFile.set(file, kept);
    this.held += kept.length;
    if (this.held > 2 * MAX_PROBLEMS_KEPT) this.keepFirst();
  }

  /**
   * Lets go of every file whose problems come after the first MAX_PROBLEMS_KEPT held, in file order: a file told
   * later can only push them further back.
   */
  private keepFirst(): void {
    let before = 0;
    for (const file of this.files()) {
      const problems = this.byFile.get(file)!;
      if (before < MAX_PROBLEMS_KEPT) before += problems.length;
      else {
        this.byFile.delete(file);
        this.held -= problems.length;
      }
    }
  }

  private files(): number[] {
    return [...this.byFile.keys()].sort((a, b) => a - b);
  }

  /** Adds every problem told to the fleet, in file order: the first ones listed, all of them counted. */
  addTo(fleet: Fleet): void {
    let added = 0;
    for (const file of this.files())
      for (const problem of this.byFile.get(file)!) {
        addProblem(fleet, problem);
        added++;
      }
    fleet.problemCount += this.told - added;
  }
}
