// `maxBinarySize` (Ikanos beta5): a number with a mandatory unit, in bytes.
import { describe, expect, it } from 'vitest';
import { binarySize } from '../../../generator/model/consumes.js';

describe('binarySize', () => {
  it('reads B, KiB, MiB and GiB', () => {
    expect(binarySize('512B')).toBe(512);
    expect(binarySize('512KiB')).toBe(512 * 1024);
    expect(binarySize('5MiB')).toBe(5 * 1024 * 1024);
    expect(binarySize('1.5GiB')).toBe(1.5 * 1024 ** 3);
  });
  it('refuses sizes without a unit or with another one', () => {
    for (const bad of ['512', '5MB', 'MiB', '-1KiB', '5 mib']) expect(binarySize(bad), bad).toBeUndefined();
  });
});
