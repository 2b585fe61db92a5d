/**
 * Schedule: when each of many monitors is next due, in a binary min-heap, so that one timer
 * serves them all (set for the earliest) instead of one drifting timer per check.
 */

interface Slot {
  readonly id: string;
  due: number;
  /** at is the slot's index in the heap, kept by every move so that no map is written per swap. */
  at: number;
}

/** Schedule orders ids by due time; an id is in it at most once. */
export class Schedule {
  private readonly heap: Slot[] = [];
  private readonly slots = new Map<string, Slot>();

  get size(): number {
    return this.heap.length;
  }

  /** set puts `id` at `due`, replacing an earlier entry of it. */
  set(id: string, due: number): void {
    const slot = this.slots.get(id);
    if (slot !== undefined) {
      const earlier = due < slot.due;
      slot.due = due;
      if (earlier) this.up(slot.at);
      else this.down(slot.at);
      return;
    }
    const fresh: Slot = { id, due, at: this.heap.length };
    this.heap.push(fresh);
    this.slots.set(id, fresh);
    this.up(fresh.at);
  }

  /** delete removes `id`. */
  delete(id: string): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.slots.delete(id);
    this.removeAt(slot.at);
  }

  /** nextDue is the earliest due time, or null when empty. */
  nextDue(): number | null {
    return this.heap[0]?.due ?? null;
  }

  /** popDue removes every id due at or before `now` and hands each to `take`, earliest first. */
  popDue(now: number, take: (id: string, due: number) => void): void {
    while (this.heap.length > 0 && (this.heap[0] as Slot).due <= now) {
      const top = this.heap[0] as Slot;
      this.slots.delete(top.id);
      this.removeAt(0);
      take(top.id, top.due);
    }
  }

  private removeAt(at: number): void {
    const last = this.heap.pop() as Slot;
    if (at < this.heap.length) {
      this.heap[at] = last;
      last.at = at;
      this.up(at);
      this.down(last.at);
    }
  }

  private up(i: number): void {
    const heap = this.heap;
    const slot = heap[i] as Slot;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Slot;
      if (p.due <= slot.due) break;
      heap[i] = p;
      p.at = i;
      i = parent;
    }
    heap[i] = slot;
    slot.at = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const slot = heap[i] as Slot;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (heap[r] as Slot).due < (heap[l] as Slot).due ? r : l;
      const child = heap[c] as Slot;
      if (child.due >= slot.due) break;
      heap[i] = child;
      child.at = i;
      i = c;
    }
    heap[i] = slot;
    slot.at = i;
  }
}
