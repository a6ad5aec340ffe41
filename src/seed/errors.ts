/** A natural key of the seed is held by a record that the seed did not create (CLI exit code 2). */
export class SeedConflict extends Error {}

/** The seed cannot run as asked (CLI exit code 1). */
export class SeedRefused extends Error {}
