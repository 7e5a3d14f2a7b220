/**
 * A Map that holds at most `max` entries: setting a new key beyond that drops the oldest one
 * (insertion order). For caches of facts that never go stale, where the bound is only about memory.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  private readonly max: number;

  constructor(max: number) {
    super();
    this.max = max;
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}
