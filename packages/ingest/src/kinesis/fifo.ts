/** A first-in first-out queue: O(1) push and shift (Array#shift is O(n), which a queue of 100k+ records cannot afford). */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T; // let it be collected
    // Drop the spent front once it is at least half of the array: amortised O(1).
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.items.length) this.clear();
    return item;
  }

  /** Empties the queue, returning what it held in order. */
  takeAll(): T[] {
    const rest = this.items.slice(this.head);
    this.clear();
    return rest;
  }

  private clear(): void {
    this.items = [];
    this.head = 0;
  }
}
