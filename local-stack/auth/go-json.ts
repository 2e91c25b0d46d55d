import { z } from 'zod';

/**
 * Fields as Go's `encoding/json` fills GoTrue's request structs: an absent field or a JSON `null`
 * leaves the zero value (`""`, `false`, a nil map), while a value of another type is an error
 * (answered as `bad_json`). Unknown fields are ignored, which is zod's default for objects.
 */
export const goString = () =>
  z
    .string()
    .nullish()
    .transform((value) => value ?? '');

export const goBool = () =>
  z
    .boolean()
    .nullish()
    .transform((value) => value ?? false);

/** A `map[string]interface{}`: absent or null is nil, which GoTrue treats as "not given". */
export const goMap = () =>
  z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((value) => value ?? null);
