import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/shared/buffer-pool.js';

describe('BufferPool', () => {
  it('hands back the buffers it was given, keeps at most `keep`, and only of its size', () => {
    const pool = new BufferPool(8192, 2);
    const a = pool.take();
    const b = pool.take(10);
    expect(a.length).toBe(8192);
    expect(b).not.toBe(a);
    const big = pool.take(16_384);
    expect(big.length).toBe(16_384);
    pool.give(a);
    pool.give(b);
    pool.give(pool.take(8192));
    pool.give(big);
    pool.give(Buffer.alloc(16_384).subarray(0, 8192));
    pool.take();
    // A view into a larger buffer is never pooled, even with room.
    pool.give(Buffer.alloc(16_384).subarray(0, 8192));
    expect(pool.held).toBe(1);
    const c = Buffer.allocUnsafe(8192);
    pool.give(c);
    expect(pool.held).toBe(2);
    expect(pool.take()).toBe(c);
    expect([a, b]).toContain(pool.take());
    expect(pool.held).toBe(0);
  });
});
