import { describe, expect, it } from "vitest";
import { decodeArray, decodeBase64, encodeArray } from "./encoding.js";

describe("typed arrays as JSON", () => {
  it("round-trip every bit, −0, NaN and ±∞ included, through JSON", () => {
    for (const array of [
      new Float64Array([0.1, -0, NaN, Infinity, -Infinity, 5e-324]),
      new Float32Array([1.5, -0, NaN, 3.4e38]),
    ]) {
      const back = decodeArray(JSON.parse(JSON.stringify(encodeArray(array))));
      expect(back.constructor).toBe(array.constructor);
      expect(Buffer.from(back.buffer).equals(Buffer.from(array.buffer))).toBe(true);
    }
  });

  it("rejects a length that does not match, and decodes plain base64", () => {
    const encoded = encodeArray(new Float32Array([1, 2]));
    expect(() => decodeArray({ ...encoded, length: 3 })).toThrow(/expected 3 float32 values, the data holds 2/);
    expect(Array.from(decodeBase64("AQID"))).toEqual([1, 2, 3]);
  });
});
