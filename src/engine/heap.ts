/** A binary min-heap: the engine's reorder buffer and its timer queue. */
export class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l] as T, items[m] as T)) m = l;
        if (r < items.length && this.less(items[r] as T, items[m] as T)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m] as T, items[i] as T];
        i = m;
      }
    }
    return top;
  }
}

/**
 * A priority queue for input that arrives mostly in order (the reorder buffer): an item not before
 * the last one queued in order joins a sorted run (O(1)), any other goes to a heap; the smaller of
 * the two heads comes out first, so it pops in exactly the order one heap would.
 */
export class RunQueue<T> {
  private run: T[] = [];
  private head = 0;
  private readonly heap: MinHeap<T>;
  constructor(private readonly less: (a: T, b: T) => boolean) {
    this.heap = new MinHeap(less);
  }

  get size(): number {
    return this.run.length - this.head + this.heap.size;
  }

  push(item: T): void {
    const last = this.run.length > this.head ? (this.run[this.run.length - 1] as T) : undefined;
    if (last === undefined || !this.less(item, last)) this.run.push(item);
    else this.heap.push(item);
  }

  peek(): T | undefined {
    const a = this.head < this.run.length ? (this.run[this.head] as T) : undefined;
    const b = this.heap.peek();
    if (a === undefined) return b;
    return b !== undefined && this.less(b, a) ? b : a;
  }

  pop(): T | undefined {
    const a = this.head < this.run.length ? (this.run[this.head] as T) : undefined;
    const b = this.heap.peek();
    if (a === undefined || (b !== undefined && this.less(b, a))) return this.heap.pop();
    this.head++;
    if (this.head === this.run.length) {
      this.run = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.run.length) {
      this.compact();
    }
    return a;
  }

  /** Drops the popped part of the run (before a snapshot: it is not state). */
  compact(): void {
    if (this.head === 0) return;
    this.run = this.run.slice(this.head);
    this.head = 0;
  }
}
