/** A binary min-heap ordered by `at(item)`: O(log n) push and pop. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly at: (item: T) => number) {}

  get length(): number {
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
      if (this.at(items[parent]!) <= this.at(item)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && this.at(items[right]!) < this.at(items[left]!) ? right : left;
      if (this.at(items[child]!) >= this.at(last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Empties the heap, returning what it held (in no particular order). */
  takeAll(): T[] {
    return this.items.splice(0);
  }
}
