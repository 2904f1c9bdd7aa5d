/**
 * The `User-Agent` every request carries (ThoughtSpot documents it as required for non-browser clients):
 * `spotpipe/<version> (node/<version>; <platform> <arch>)`.
 */

/** Version of `@spotpipe/core`; a test keeps it equal to package.json. */
export const VERSION = "0.1.0"

/** The default User-Agent for this process. */
export const defaultUserAgent = (): string =>
  `spotpipe/${VERSION} (node/${process.versions.node}; ${process.platform} ${process.arch})`

/** A character HTTP does not allow in a header value: a control character, a line break, one beyond Latin-1. */
const notInHeader = /[^\t\x20-\x7e\x80-\xff]/

/**
 * Why a `userAgent` option cannot be sent, or `undefined`: ThoughtSpot refuses a request without one, and an HTTP
 * client refuses a header it may not carry, the same way on every attempt.
 */
export const userAgentProblem = (userAgent: string): string | undefined =>
  typeof userAgent !== "string"
    ? `is a ${userAgent === null ? "null" : typeof userAgent}, not text: pass the User-Agent text, or leave the option out for the default`
    : userAgent.trim() === ""
      ? "is empty: ThoughtSpot requires a User-Agent; leave the option out for the default"
      : notInHeader.test(userAgent)
        ? "holds a character HTTP does not allow in a header (a control character, a line break or one beyond Latin-1): give plain text"
        : undefined
