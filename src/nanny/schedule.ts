/**
 * Schedule: when each of many monitors is next due, in a binary min-heap, so that one timer
 * serves them all (set for the earliest) instead of one drifting timer per check.
 */

interface Slot {
  id: string;
  due: number;
}

/** Schedule orders ids by due time; an id is in it at most once. */
export class Schedule {
  private readonly heap: Slot[] = [];
  private readonly index = new Map<string, number>();

  get size(): number {
    return this.heap.length;
  }

  /** set puts `id` at `due`, replacing an earlier entry of it. */
  set(id: string, due: number): void {
    const at = this.index.get(id);
    if (at !== undefined) {
      const slot = this.heap[at] as Slot;
      const earlier = due < slot.due;
      slot.due = due;
      if (earlier) this.up(at);
      else this.down(at);
      return;
    }
    this.heap.push({ id, due });
    this.index.set(id, this.heap.length - 1);
    this.up(this.heap.length - 1);
  }

  /** delete removes `id`. */
  delete(id: string): void {
    const at = this.index.get(id);
    if (at === undefined) return;
    const last = this.heap.pop() as Slot;
    this.index.delete(id);
    if (at < this.heap.length) {
      this.heap[at] = last;
      this.index.set(last.id, at);
      this.up(at);
      this.down(at);
    }
  }

  /** nextDue is the earliest due time, or null when empty. */
  nextDue(): number | null {
    return this.heap[0]?.due ?? null;
  }

  /** popDue removes and returns every id due at or before `now`, earliest first. */
  popDue(now: number): Array<{ id: string; due: number }> {
    const out: Array<{ id: string; due: number }> = [];
    while (this.heap.length > 0 && (this.heap[0] as Slot).due <= now) {
      const top = this.heap[0] as Slot;
      out.push({ id: top.id, due: top.due });
      this.delete(top.id);
    }
    return out;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.heap[parent] as Slot).due <= (this.heap[i] as Slot).due) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.heap.length && (this.heap[l] as Slot).due < (this.heap[m] as Slot).due) m = l;
      if (r < this.heap.length && (this.heap[r] as Slot).due < (this.heap[m] as Slot).due) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const x = this.heap[a] as Slot;
    const y = this.heap[b] as Slot;
    this.heap[a] = y;
    this.heap[b] = x;
    this.index.set(y.id, a);
    this.index.set(x.id, b);
  }
}
