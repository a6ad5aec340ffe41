/** Time units and key numbering shared by the demo (demo.ts) and scale (scale/) seeds. */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** `n` zero-padded to `width` digits: generated keys sort in creation order. */
export const pad = (n: number, width: number) => String(n).padStart(width, '0');
