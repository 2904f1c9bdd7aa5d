/**
 * The `User-Agent` every request carries (ThoughtSpot documents it as required for non-browser clients):
 * `spotpipe/<version> (node/<version>; <platform> <arch>)`.
 */

/** Version of `@spotpipe/core`; a test keeps it equal to package.json. */
export const VERSION = "0.1.0"

/** The default User-Agent for this process. */
export const defaultUserAgent = (): string =>
  `spotpipe/${VERSION} (node/${process.versions.node}; ${process.platform} ${process.arch})`
