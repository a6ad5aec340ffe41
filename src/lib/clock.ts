/** Time source. Tests inject a fake clock; they never sleep for lockouts or expiries. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
