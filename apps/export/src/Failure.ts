/**
 * From a failure to what the user sees: an exit code (0 success, 1 export failed, 2 usage error) and one line
 * on stderr that says what happened and what to do. `--verbose` adds the full cause. ThoughtSpot failures from
 * `@spotpipe/core` are mapped here by their reason tag; their text is already free of secrets.
 */
import { Cause, Context, type Effect } from "effect"
import { ExportError } from "./ExportError.ts"
import { UsageError } from "./UsageError.ts"

/** The shape of `@spotpipe/core`'s `ThoughtSpotError` that this module relies on. */
interface ThoughtSpotFailure {
  readonly _tag: "ThoughtSpotError"
  readonly operation: string
  readonly reason: {
    readonly _tag: string
    readonly message: string
    readonly description?: string
    readonly status?: number
    readonly code?: number
    readonly incidentId?: string
    readonly serverMessage?: string
    /** Authentication: who was refused, and where (`host:port`). Transport: `host:port`. */
    readonly username?: string
    readonly host?: string
    /** Transport: the system or TLS error code; `retryable: false` for failures that cannot heal. */
    readonly networkCode?: string
    readonly retryable?: boolean
    /** ResponseDecode: what arrived instead of JSON, or where a redirect pointed. */
    readonly contentType?: string
    readonly location?: string
    /** Timeout: which of the client's limits ran out (`--timeout`, `--deadline`), and how long it was. */
    readonly limit?: "attempt" | "deadline"
    readonly limitMillis?: number
  }
}

/**
 * How a run signed in, and where its user and secret came from (`--username`, `--password-file`,
 * `THOUGHTSPOT_PASSWORD`, `profile "prod" (env:TS_PASSWORD)`, `a prompt`), never a value.
 */
export interface SignIn {
  /** The URL signed in to. */
  readonly host: string
  readonly method: "password" | "secret-key" | "token"
  readonly username?: string
  readonly secret: string
  /** Where the Org signed in to came from (`--org-id`, `profile "prod"`), when one was asked for. */
  readonly org?: string
  /** Where the host came from (`--host`, `THOUGHTSPOT_HOST`, `profile "prod"`, `the job file's "host"`). */
  readonly hostFrom?: string
}

/** A mutable cell for the sign-in of the run in progress, set once its connection is resolved. */
export interface SignInHint {
  current: SignIn | undefined
  /** The host the run's connection resolved to and where it came from (set before `current`). */
  hostFrom?: { readonly host: string; readonly from: string }
}

/** The run's {@link SignInHint}; the program provides a fresh one per run and names it when credentials are refused. */
export const SignInHint = Context.Reference<SignInHint>("spotpipe/SignInHint", {
  defaultValue: () => ({ current: undefined })
})

/** Records how this run signs in, so that refused credentials name where they came from. */
export const setSignIn = (signIn: SignIn): Effect.Effect<void> =>
  SignInHint.useSync((hint) => {
    hint.current =
      signIn.hostFrom === undefined && hint.hostFrom?.host === signIn.host
        ? { ...signIn, hostFrom: hint.hostFrom.from }
        : signIn
  })

/** Records where the host of this run came from, so that a host that cannot be reached is named with it. */
export const setHostSource = (host: string, from: string): Effect.Effect<void> =>
  SignInHint.useSync((hint) => {
    hint.hostFrom = { host, from }
  })

/**
 * What to check about the host: the setting it came from (`--host`, `the host from THOUGHTSPOT_HOST`), or, when
 * that is not known, every place it can come from.
 */
const hostSetting = (signIn: SignIn | undefined): string =>
  signIn?.hostFrom === undefined
    ? "the host (--host, a job file's, THOUGHTSPOT_HOST or a profile's: spotpipe auth status shows which is in effect)"
    : signIn.hostFrom === "--host"
      ? "--host"
      : `the host from ${signIn.hostFrom}`

/** The requests with which core signs in (mints a token or opens a session). */
const signInOperations: ReadonlyArray<string> = ["auth/token/full", "auth/token/object", "auth/session/login"]

/** core's own wording for a 401: the line below says it in its own words, so it is not repeated. */
const defaultRefusal = "ThoughtSpot rejected the credentials"

/** core's own wording for a 400 from ThoughtSpot: the line for it says it once, naming what was asked for. */
const defaultRejection = "ThoughtSpot rejected the request"

/**
 * ThoughtSpot's message without the header clusters put before it (`Error Code: 10002 Incident Id: … Error
 * Message: …`) when that header only repeats the code and incident id said beside it.
 */
const serverTextOf = (reason: ThoughtSpotFailure["reason"]): string => {
  const text = reason.serverMessage ?? ""
  const header = /^Error Code: *(\S+) +Incident Id: *(\S+) +Error Message: */.exec(text)
  return header !== null && header[1] === String(reason.code) && header[2] === reason.incidentId
    ? text.slice(header[0].length)
    : text
}

/** `(HTTP 400, code 10002, incident …)`: the facts of a reason, the incident id left out where `text` names it. */
const factsOf = (reason: ThoughtSpotFailure["reason"], text: string): string => {
  const facts = [
    ...(reason.status === undefined ? [] : [`HTTP ${reason.status}`]),
    ...(reason.code === undefined ? [] : [`code ${reason.code}`]),
    ...(reason.incidentId === undefined || text.includes(reason.incidentId) ? [] : [`incident ${reason.incidentId}`])
  ]
  return facts.length === 0 ? "" : `(${facts.join(", ")})`
}

/**
 * The one line for refused credentials (exports, `ls`, `api` and `auth status` alike): who was refused where,
 * ThoughtSpot's reason, and what to check — the settings `signIn` came from, or, when they are not known, how to
 * find them.
 */
export const refusedCredentialsLine = (reason: ThoughtSpotFailure["reason"], signIn?: SignIn): string => {
  const host = signIn?.host ?? reason.host
  const who =
    reason.username !== undefined && host !== undefined
      ? `ThoughtSpot refused the credentials for ${reason.username} at ${host}`
      : host !== undefined
        ? `ThoughtSpot refused the credentials at ${host}`
        : "ThoughtSpot refused the credentials"
  let detail = reason.message
  if (reason.description === undefined || reason.description.startsWith(defaultRefusal)) {
    const facts = [
      ...(reason.status === undefined ? [] : [`HTTP ${reason.status}`]),
      ...(reason.code === undefined ? [] : [`code ${reason.code}`]),
      // ThoughtSpot's own text often names its incident already.
      ...(reason.incidentId === undefined || reason.serverMessage?.includes(reason.incidentId) === true
        ? []
        : [`incident ${reason.incidentId}`])
    ].join(", ")
    detail = [reason.serverMessage ?? "", facts === "" ? "" : `(${facts})`].filter((t) => t !== "").join(" ")
  }
  const check = notAMember.test(reason.serverMessage ?? "")
    ? orgAdvice(signIn)
    : signIn === undefined
      ? "check the user name and the password, secret key or token it signed in with (spotpipe auth status shows where each came from)"
      : `check ${[
          ...(signIn.username === undefined ? [] : [`the user from ${signIn.username}`]),
          `the ${signIn.method} from ${signIn.secret}`
        ].join(" and ")}`
  return `${who}${detail === "" ? "" : detail.startsWith("(") ? ` ${detail}` : `: ${detail}`}; ${check}`
}

/** ThoughtSpot's reason when the user is not in the Org signed in to: the Org is wrong, not the secret. */
const notAMember = /\bnot (?:a )?member of (?:the )?org\b/i

/**
 * What to do when the user is not a member of the Org signed in to. Which Orgs the user is in can only be read
 * once signed in to one of them, so their ids come from an administrator or ThoughtSpot's Org switcher.
 */
const orgAdvice = (signIn: SignIn | undefined): string => {
  const ids = "(ThoughtSpot's Org switcher, or an administrator, names the ids)"
  if (signIn === undefined) return `pass --org-id ID of an Org this user is a member of ${ids}`
  return signIn.org === undefined
    ? `no Org was asked for, so ThoughtSpot chose that one: pass --org-id ID of an Org this user is a member of ${ids}`
    : `the Org is from ${signIn.org}: give there the id of an Org this user is a member of ${ids}`
}

/** The line for a connection failure, by what it means (see core's Transport reason). */
const transportLine = (reason: ThoughtSpotFailure["reason"], doing: string, signIn?: SignIn): string => {
  const host = reason.host ?? "the host"
  const check = hostSetting(signIn)
  switch (reason.networkCode) {
    case "ENOTFOUND":
      return `cannot resolve host ${host.replace(/:\d+$/, "")}: check ${check}`
    case "ECONNREFUSED":
      return `nothing is listening at ${host}: check ${check} and that ThoughtSpot is running`
  }
  // TLS refused (plain HTTP where https:// was given, an untrusted certificate): core's line says what to do.
  if (reason.retryable === false && reason.description !== undefined) {
    return signIn?.hostFrom === undefined
      ? reason.description
      : `${reason.description} (the host URL is from ${signIn.hostFrom})`
  }
  return `cannot reach ThoughtSpot while ${doing}: check ${check} and the network (${reason.message})`
}

/** The line for an answer that is not ThoughtSpot's JSON: a redirect, an HTML page, or core's own words. */
const answerLine = (reason: ThoughtSpotFailure["reason"], doing: string, signIn?: SignIn): string => {
  const status = reason.status
  const check = hostSetting(signIn)
  if (status !== undefined && status >= 300 && status < 400) {
    return reason.location === undefined
      ? `ThoughtSpot answered ${status} with no Location: check ${check}`
      : `ThoughtSpot answered ${status}, redirecting to ${reason.location}: check ${check} (redirects are not followed; if that address is ThoughtSpot's, use it)`
  }
  const type = reason.contentType
  if (type !== undefined && /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(type)) {
    return `the response is HTML, not JSON (content-type ${type}): is ${check} the ThoughtSpot URL, not a login page or proxy?`
  }
  return `ThoughtSpot failed while ${doing}: ${reason.message}`
}

/**
 * The line for an incomplete answer. Core's description says what fell short: a paged read (a short page, a
 * result that changed), a listing, a TML export that left objects out, a visualization missing from a liveboard's
 * answer; most also say what to do, and those that do not are paged reads, which a new run reads anew.
 */
const incompleteLine = (what: string, detail: string): string =>
  `${what}: the answer from ThoughtSpot is incomplete: ${detail}${/\b(again|rerun|check|use)\b/.test(detail) ? "" : "; run the export again"}`

/**
 * The admin-only requests, by core's operation: the privilege each needs (ThoughtSpot's API reference) and what
 * else can be done. A refusal of one is a missing privilege, which sharing objects or data download does not give.
 */
const privilegeNeeded: Readonly<Record<string, { readonly needs: string; readonly otherwise: string }>> = {
  auditLogs: {
    needs:
      "reading the security audit log (logs/fetch) needs the ADMINISTRATION privilege (Can administer ThoughtSpot; with RBAC, admin control) in the Org read",
    otherwise: "with --orgs leave out the Orgs where this user lacks it"
  },
  exportTmlBatch: {
    needs:
      "exporting users, groups and roles (metadata/tml/export/batch) needs the DATAMANAGEMENT (Can manage data) and USERMANAGEMENT (Can manage users) privileges, or ADMINISTRATION, in the Org read",
    otherwise: "leave USER, USER_GROUP and ROLE out of --type (or with --orgs the Orgs where this user lacks them)"
  },
  searchUsers: {
    needs:
      "listing users (users/search) needs, with RBAC, the USER_ADMINISTRATION privilege (Can manage users), or ADMINISTRATION, in the Org read",
    otherwise: "with --orgs leave out the Orgs where this user lacks it"
  },
  searchGroups: {
    needs:
      "listing groups (groups/search) needs, with RBAC, the GROUP_ADMINISTRATION privilege (Can manage groups), or ADMINISTRATION, in the Org read",
    otherwise: "with --orgs leave out the Orgs where this user lacks it"
  },
  searchRoles: {
    needs:
      "listing roles (roles/search) needs the ROLE_ADMINISTRATION privilege (Can manage roles), or ADMINISTRATION, in the Org read",
    otherwise: "with --orgs leave out the Orgs where this user lacks it"
  },
  searchOrgs: {
    needs:
      "listing the Orgs (orgs/search, which --orgs reads) needs the privilege to administer Orgs (Can administer Org; with RBAC, ORG_ADMINISTRATION)",
    otherwise: "export one Org at a time with --org-id ID instead of --orgs"
  }
}

const isThoughtSpotFailure = (u: unknown): u is ThoughtSpotFailure =>
  typeof u === "object" &&
  u !== null &&
  (u as { _tag?: unknown })._tag === "ThoughtSpotError" &&
  typeof (u as { reason?: unknown }).reason === "object"

/** One Org of a run over several (`--orgs`, a job's `orgs`), read through a sign-in of its own. */
export interface OrgRef {
  readonly id: number
  readonly name: string
}

/**
 * Turns a ThoughtSpot failure while working on `what` (e.g. `answer "Sales"`) into an export error; refused
 * credentials name where they came from when `signIn` is given. `org`: the work was in that Org of a run over
 * Orgs, so a refused sign-in is that Org's (see {@link inOrg}).
 */
export const fromThoughtSpot = (
  error: ThoughtSpotFailure,
  what: string,
  signIn?: SignIn,
  org?: OrgRef
): ExportError => {
  const detail = error.reason.message
  const make = (kind: ExportError["kind"], message: string) => new ExportError({ kind, message, cause: error })
  // core signs in inside the first request that needs a token: a failure of the sign-in is said as one.
  const signingIn = signInOperations.includes(error.operation)
  const doing = signingIn ? `signing in (${error.operation})` : `reading ${what}`
  if (signingIn && org !== undefined && orgRefusals.includes(error.reason._tag)) {
    const refused = make("Remote", orgSignInLine(error, org))
    orgSignInFailures.add(refused)
    return refused
  }
  if (signingIn) {
    switch (error.reason._tag) {
      case "NotFound":
      case "BadRequest":
      case "Forbidden":
        return hostWorded(make("Remote", refusedSignInLine(error, signIn)), (s) => refusedSignInLine(error, s))
      case "Incomplete":
      case "Server":
        return make(
          "Remote",
          `ThoughtSpot failed while signing in (${error.operation}): ${detail}: run again later; if it persists, ask a ThoughtSpot administrator`
        )
    }
  }
  switch (error.reason._tag) {
    case "Authentication":
      return make("Authentication", refusedCredentialsLine(error.reason, signIn))
    case "NotFound":
      return make("NotFound", `${what} not found: check the GUID or name (spotpipe metadata lists objects) (${detail})`)
    case "Forbidden": {
      if (error.operation === "system") {
        return make(
          "Forbidden",
          // Which command asked is not known here (spotpipe run takes no --timezone): both ways are said.
          `this user cannot read the cluster's settings (GET system) to learn its time zone: pass --timezone IANA_ZONE (a job file sets "timezone" in "defaults" or in each export) (${detail})`
        )
      }
      const privilege = privilegeNeeded[error.operation]
      if (privilege !== undefined) {
        return make(
          "Forbidden",
          `${what}: ${privilege.needs}, which this user lacks: sign in as a user who holds it, ask a ThoughtSpot administrator to grant it, or ${privilege.otherwise} (${detail})`
        )
      }
      return make(
        "Forbidden",
        `access to ${what} denied: ask a ThoughtSpot administrator to share it with this user and grant data download (${detail})`
      )
    }
    case "RateLimited":
      return make(
        "RateLimited",
        `rate limited by ThoughtSpot while ${doing}, still at its last retry: run again later, or send fewer requests at once: a lower --rate-limit or --concurrency (${detail})`
      )
    case "Incomplete":
      return make("Incomplete", incompleteLine(what, detail))
    case "Transport":
      return hostWorded(make("Remote", transportLine(error.reason, doing, signIn)), (s) =>
        transportLine(error.reason, doing, s)
      )
    case "ResponseDecode":
      return hostWorded(make("Remote", answerLine(error.reason, doing, signIn)), (s) =>
        answerLine(error.reason, doing, s)
      )
    case "Timeout":
      return make(
        "Remote",
        `ThoughtSpot did not answer in time while ${doing} (${timeoutDetail(error.reason)}): run again later, or allow more time with --timeout SECONDS (one attempt, default 120) and --deadline SECONDS (with its retries, default 600)`
      )
    case "BadRequest": {
      if (error.reason.description !== defaultRejection)
        return make("Remote", `ThoughtSpot rejected the request for ${what}: ${detail}`)
      // Said once, the facts once: not core's "ThoughtSpot rejected the request (…)" again after it.
      const text = serverTextOf(error.reason)
      const facts = factsOf(error.reason, text)
      return make(
        "Remote",
        `ThoughtSpot rejected the request for ${what}${facts === "" ? "" : ` ${facts}`}${text === "" ? "" : `: ${text}`}`
      )
    }
    default:
      return make("Remote", `ThoughtSpot failed while ${doing}: ${detail}`)
  }
}

/** A duration as the CLI's lines say it: whole seconds when it is one, else milliseconds. */
const seconds = (millis: number): string => (millis % 1000 === 0 ? `${millis / 1000} s` : `${millis} ms`)

/**
 * What ran out, in the CLI's terms: its flags, not core's option names (`attemptTimeoutMillis`, which core's own
 * message names); a timeout of the server's (408) as core says it.
 */
const timeoutDetail = (reason: ThoughtSpotFailure["reason"]): string => {
  const millis = reason.limitMillis
  if (millis === undefined) return reason.message
  if (reason.limit === "attempt") return `no complete response within ${seconds(millis)}, the --timeout of one attempt`
  if (reason.limit === "deadline") return `gave up after ${seconds(millis)} with retries, the --deadline`
  return reason.message
}

/** A sign-in refused for what it asks (400, 403, 404): the host, the sign-in method, and the Org if one was asked for. */
const refusedSignInLine = (error: ThoughtSpotFailure, signIn: SignIn | undefined): string =>
  `ThoughtSpot refused to sign in (${error.operation}): ${error.reason.message}: check ${hostSetting(signIn)}, ${signIn?.org === undefined ? "and " : ""}the sign-in method (auth) for this cluster${signIn?.org === undefined ? "" : `, and the Org from ${signIn.org} (one this user belongs to)`}`

// Errors about the host worded where the run's sign-in was not known, with how to word them once it is.
const hostWordings = new WeakMap<ExportError, (signIn: SignIn) => string>()

const hostWorded = (error: ExportError, word: (signIn: SignIn) => string): ExportError => {
  hostWordings.set(error, word)
  return error
}

/** The shape of `@spotpipe/decode`'s `DateCellError` that this module relies on. */
interface DateCellFailure {
  readonly _tag: "DateCellError"
  readonly reason: string
  readonly value: string
  readonly column?: string
  readonly message: string
  /** `NotMidnight`: the zone the DATE was read in, and the instant that is no midnight there. */
  readonly timeZone?: string
  readonly instant?: number
}

const isDateCellFailure = (u: unknown): u is DateCellFailure =>
  typeof u === "object" &&
  u !== null &&
  (u as { _tag?: unknown })._tag === "DateCellError" &&
  typeof (u as { value?: unknown }).value === "string"

/**
 * What a spotpipe user can do about a bad date cell, by its reason. `@spotpipe/decode`'s messages describe the
 * cell only, since its remedies (e.g. its lenient mode) are not options of the CLI.
 */
const dateCellAdvice = (error: DateCellFailure): string => {
  switch (error.reason) {
    case "NotMidnight": {
      // Where the zone came from is not known here, so every place it can come from is said, the winner first.
      const zone = error.timeZone === undefined ? "the data time zone" : `${error.timeZone}, the data time zone`
      const fix =
        error.instant !== undefined && error.instant % 86400 === 0
          ? 'if the cluster computes dates in UTC, export with --timezone UTC (in a job file, "timezone": "UTC")'
          : 'export with --timezone set to the zone the cluster computes dates in (in a job file, its "timezone")'
      return `the dates were read in ${zone} (a job file's "timezone" when it sets one, else --timezone, else the cluster's time_zone): ${fix}; if the column holds no dates, the column's type in metadata may be wrong: report it to the owner of the model or answer`
    }
    case "EndBeforeStart":
      return "ThoughtSpot sent a malformed Custom Calendar cell: report it to your ThoughtSpot administrator"
    case "OutOfRange":
      // A date the cluster sent, outside years 0001–9999 only where it is rendered: the zone decides.
      if (error.timeZone !== undefined) {
        return `dates are written in years 0001–9999 of the data time zone (${error.timeZone}; a job file's "timezone" when it sets one, else --timezone, else the cluster's time_zone): export in the zone the cluster computes dates in (--timezone; in a job file, "timezone"), where a warehouse's 0001-01-01 or 9999-12-31 stays in those years`
      }
      return "if the column holds milliseconds or microseconds rather than dates, the column's type in metadata is wrong: report it to the owner of the model or answer"
    case "UnsafeInteger":
      return "spotpipe reads such integers exactly, so this is a bug: report it with the output of --verbose"
    default:
      return "if the column is not a date, the column's type in metadata may be wrong: report it to the owner of the model or answer"
  }
}

/**
 * The message for a cell of `what` that cannot be written: row (from 1) and column, what is wrong with the cell,
 * and for a date cell what to do about it.
 */
export const badCellMessage = (
  what: string,
  row: number,
  column: string,
  error: { readonly message: string }
): string => {
  if (!isDateCellFailure(error)) return `${what}: row ${row}, column "${column}": ${error.message}`
  // The decode message names the column itself (`cell "abc" in column "Order Date" is …`): said once here.
  const named =
    error.column === undefined ? undefined : `cell ${error.value} in column ${JSON.stringify(error.column)} `
  const problem =
    named !== undefined && error.message.startsWith(named)
      ? `cell ${error.value} ${error.message.slice(named.length)}`
      : error.message
  return `${what}: row ${row}, column "${column}": ${problem}; ${dateCellAdvice(error)}`
}

/** A sign-in refused for what it asks (not for its credentials, a 401): in a run over Orgs, the Org's. */
const orgRefusals: ReadonlyArray<string> = ["NotFound", "BadRequest", "Forbidden"]

// The errors worded as one Org's refused sign-in, which reportFailure keeps as they are.
const orgSignInFailures = new WeakSet<ExportError>()

/**
 * A refused sign-in to one Org of a run over Orgs. The Orgs were listed through the run's own sign-in, so the
 * host, the credentials and the sign-in method work: what is left is this user's access to that Org, or the Org.
 */
const orgSignInLine = (error: ThoughtSpotFailure, org: OrgRef): string =>
  `ThoughtSpot refused to sign in to Org ${org.id} (${org.name}) (${error.operation}): ${error.reason.message}: this user's sign-in to the cluster works, but not into that Org: the user may not belong to it, or it is inactive; ask a ThoughtSpot administrator to add the user to the Org or to activate it, or leave it out of the Orgs to export`

/**
 * `error`, from work in `org` of a run over Orgs: a refused sign-in worded as that Org's (a failure already turned
 * into an {@link ExportError} elsewhere is worded again from its cause); anything else as it is.
 */
export const inOrg = (error: ExportError | UsageError, org: OrgRef | undefined): ExportError | UsageError =>
  org !== undefined &&
  error instanceof ExportError &&
  isThoughtSpotFailure(error.cause) &&
  signInOperations.includes(error.cause.operation) &&
  orgRefusals.includes(error.cause.reason._tag)
    ? fromThoughtSpot(error.cause, "", undefined, org)
    : error

/**
 * Wraps any failure of work on `what` as an {@link ExportError}, leaving export and usage errors as they are;
 * `org`, the Org of a run over Orgs the work was in (see {@link inOrg}).
 */
export const toExportError = (error: unknown, what: string, org?: OrgRef): ExportError | UsageError => {
  if (error instanceof ExportError || error instanceof UsageError) return inOrg(error, org)
  if (isThoughtSpotFailure(error)) return fromThoughtSpot(error, what, undefined, org)
  const text = error instanceof Error ? error.message : String(error)
  return new ExportError({ kind: "Remote", message: `exporting ${what} failed: ${text}`, cause: error })
}

/** Exit codes. */
export const ExitCode = { success: 0, failed: 1, usage: 2, interrupted: 130 } as const

/** What to print and how to exit for a failed run. */
export interface FailureReport {
  readonly exitCode: number
  /** Lines for stderr: first the one-line message, then (verbose only) the full cause. */
  readonly lines: ReadonlyArray<string>
}

/**
 * The report for `cause`; `verbose` adds the full cause after the one-line message. Its lines quote server text
 * (names, messages) as sent: whoever prints them makes them inert for a terminal (cli/TerminalText.ts).
 */
export const reportFailure = (cause: Cause.Cause<unknown>, verbose: boolean, signIn?: SignIn): FailureReport => {
  if (Cause.hasInterruptsOnly(cause)) {
    return { exitCode: ExitCode.interrupted, lines: ["spotpipe: interrupted; no partial file was published"] }
  }
  const error = Cause.squash(cause)
  const full = verbose ? [Cause.pretty(cause)] : []
  if (error instanceof UsageError) return { exitCode: ExitCode.usage, lines: [`spotpipe: ${error.message}`] }
  if (error instanceof ExportError) {
    // Refused credentials (or a refused sign-in, which may be the Org's) were worded where the run's sign-in was
    // not known: said again with its sources.
    const reword = signIn?.hostFrom === undefined ? undefined : hostWordings.get(error)
    const refused =
      signIn !== undefined &&
      error.kind === "Authentication" &&
      isThoughtSpotFailure(error.cause) &&
      error.cause.reason._tag === "Authentication"
        ? refusedCredentialsLine(error.cause.reason, signIn)
        : signIn?.org !== undefined &&
            !orgSignInFailures.has(error) &&
            isThoughtSpotFailure(error.cause) &&
            signInOperations.includes(error.cause.operation) &&
            ["NotFound", "BadRequest", "Forbidden"].includes(error.cause.reason._tag)
          ? fromThoughtSpot(error.cause, "", signIn).message
          : signIn !== undefined && reword !== undefined
            ? reword(signIn)
            : error.message
    return { exitCode: ExitCode.failed, lines: [`spotpipe: ${refused}`, ...full] }
  }
  const mapped = isThoughtSpotFailure(error)
    ? fromThoughtSpot(error, "the export", signIn)
    : toExportError(error, "the export")
  const hint = verbose ? [] : ["(run again with --verbose for the full cause)"]
  return { exitCode: ExitCode.failed, lines: [`spotpipe: ${mapped.message}`, ...hint, ...full] }
}
