// Time is passed in (tests use a fixed clock); `Date` satisfies it in production.
export interface Clock {
  now(): number;
}
