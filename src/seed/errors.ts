/** A natural key of the seed is held by a record that the seed did not create (CLI exit code 2). */
export class SeedConflict extends Error {}
