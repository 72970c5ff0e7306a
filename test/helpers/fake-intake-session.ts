import type { IntakeSession } from '../../src/worker/lookahead-intake.js';

/** A consumer session as the look-ahead intake sees it (pure logic tests): which partitions are assigned and paused. */
export class FakeIntakeSession implements IntakeSession {
  paused = new Set<number>();
  /** Partitions in the order they were resumed. */
  resumed: number[] = [];
  constructor(public partitions: number[]) {}
  assigned(): number[] {
    return [...this.partitions];
  }
  isAssigned(p: number): boolean {
    return this.partitions.includes(p);
  }
  isPaused(p: number): boolean {
    return this.paused.has(p);
  }
  pause(ps: number[]): void {
    for (const p of ps) if (this.isAssigned(p)) this.paused.add(p);
  }
  resume(ps: number[]): void {
    for (const p of ps) if (this.paused.delete(p)) this.resumed.push(p);
  }
}
