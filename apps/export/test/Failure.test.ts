import { assert, describe, it } from "@effect/vitest"
import { ThoughtSpotError as CoreErrors } from "@spotpipe/core"
import { Cause } from "effect"
import { ExportError } from "../src/ExportError.ts"
import { fromThoughtSpot, reportFailure, toExportError } from "../src/Failure.ts"
import { UsageError } from "../src/UsageError.ts"

const tsError = (tag: string, message = "server said no") => ({
  _tag: "ThoughtSpotError" as const,
  operation: "answerData",
  reason: { _tag: tag, message }
})

describe("failure lines", () => {
  it("each-thoughtspot-reason-gets-a-line-that-says-what-to-do", () => {
    const expectations: ReadonlyArray<[string, string, string]> = [
      ["Authentication", "Authentication", "spotpipe auth status shows where each came from"],
      ["NotFound", "NotFound", "check the GUID or name"],
      ["Forbidden", "Forbidden", "share it with this user"],
      ["RateLimited", "RateLimited", "a lower --rate-limit or --concurrency"],
      ["Incomplete", "Incomplete", "is incomplete: server said no; run the export again"],
      ["Transport", "Remote", "check the host (--host, a job file's, THOUGHTSPOT_HOST or a profile's"],
      ["BadRequest", "Remote", "rejected the request"]
    ]
    for (const [tag, kind, hint] of expectations) {
      const error = fromThoughtSpot(tsError(tag), 'answer "Sales"')
      assert.strictEqual(error.kind, kind, tag)
      assert.include(error.message, hint, tag)
      assert.notInclude(error.message, "\n")
    }
  })

  it("an-incomplete-answer-is-said-as-core-describes-it-not-always-as-paging", () => {
    const incomplete = (
      operation: string,
      description: string,
      rows?: { expectedRows: number; receivedRows: number }
    ) => new CoreErrors.ThoughtSpotError({ operation, reason: new CoreErrors.Incomplete({ description, ...rows }) })
    // A TML export that left an object out: nothing was paged, and core says what to do.
    const tml =
      'the answer (1 items) has no item for LIVEBOARD "Sales": ThoughtSpot left them out without an error; export them again, or one by one to see why'
    const left = fromThoughtSpot(incomplete("exportTml", tml), "tml LIVEBOARD")
    assert.strictEqual(left.kind, "Incomplete")
    assert.strictEqual(left.message, `tml LIVEBOARD: the answer from ThoughtSpot is incomplete: ${tml}`)
    assert.notInclude(left.message, "paging")
    // A paged read that fell short, with no advice of its own: run it again.
    const short = fromThoughtSpot(
      incomplete("searchData", "short page at offset 10: 3 rows where 10 were due; 13 of 40 rows received", {
        expectedRows: 40,
        receivedRows: 13
      }),
      'search "Orders"'
    )
    assert.strictEqual(
      short.message,
      'search "Orders": the answer from ThoughtSpot is incomplete: short page at offset 10: 3 rows where 10 were due; 13 of 40 rows received; run the export again'
    )
    // Advice of its own is not doubled, nor contradicted.
    const changed =
      "the result changed while paging: 40 rows announced, then 41 at offset 10; add a sort clause or rerun"
    assert.notInclude(fromThoughtSpot(incomplete("searchData", changed), "x").message, "run the export again")
    const viz = `the answer for liveboard "Ops" has no visualization "Map", which was asked for (it answered none): check the visualization's id or name`
    assert.notInclude(fromThoughtSpot(incomplete("liveboardData", viz), "x").message, "run the export again")
  })

  it("exit-codes-are-2-for-usage-1-for-failures-130-for-interrupts", () => {
    const usage = reportFailure(Cause.fail(new UsageError({ message: "bad flag" })), false)
    assert.deepStrictEqual(usage, { exitCode: 2, lines: ["spotpipe: bad flag"] })
    const failed = reportFailure(Cause.fail(new ExportError({ kind: "DiskFull", message: "disk full" })), false)
    assert.deepStrictEqual(failed, { exitCode: 1, lines: ["spotpipe: disk full"] })
    const verbose = reportFailure(Cause.fail(toExportError(tsError("Server"), "liveboard X")), true)
    assert.strictEqual(verbose.exitCode, 1)
    assert.strictEqual(verbose.lines.length, 2)
    assert.include(verbose.lines[1]!, "ExportError")
    assert.strictEqual(reportFailure(Cause.interrupt(), false).exitCode, 130)
    const defect = reportFailure(Cause.die(new Error("kaboom")), false)
    assert.strictEqual(defect.exitCode, 1)
    assert.include(defect.lines[1]!, "--verbose")
  })
})

describe("failure lines from core's reasons", () => {
  const { Authentication, Forbidden, NotFound, ResponseDecode, ThoughtSpotError, Transport } = CoreErrors
  const lineOf = (error: CoreErrors.ThoughtSpotError) => {
    const report = reportFailure(Cause.fail(error), false)
    assert.strictEqual(report.exitCode, 1)
    return report.lines[0]!
  }

  it("refused-credentials-name-the-user-and-host-not-the-answer", () => {
    const line = lineOf(
      new ThoughtSpotError({
        operation: "auth/token/full",
        reason: new Authentication({
          description: "ThoughtSpot rejected the credentials",
          status: 401,
          username: "tsUserA",
          host: "my.thoughtspot.cloud"
        })
      })
    )
    assert.strictEqual(
      line,
      "spotpipe: ThoughtSpot refused the credentials for tsUserA at my.thoughtspot.cloud (HTTP 401); check the user name and the password, secret key or token it signed in with (spotpipe auth status shows where each came from)"
    )
    assert.notInclude(line, "while reading")
  })

  it("refused-credentials-name-where-the-user-and-secret-came-from-and-say-the-reason-once", () => {
    const error = new ThoughtSpotError({
      operation: "auth/token/full",
      reason: new Authentication({
        description: "ThoughtSpot rejected the credentials; check the username and password, secret key or token",
        status: 401,
        code: 10097,
        incidentId: "inc-1",
        serverMessage: "Authentication failed",
        username: "tsUserA",
        host: "my.thoughtspot.cloud"
      })
    })
    const signIn = {
      host: "https://my.thoughtspot.cloud",
      method: "password",
      username: "--username",
      secret: "--password-file"
    } as const
    const line = reportFailure(Cause.fail(toExportError(error, 'answer "Sales"')), false, signIn).lines[0]!
    assert.strictEqual(
      line,
      "spotpipe: ThoughtSpot refused the credentials for tsUserA at https://my.thoughtspot.cloud: Authentication failed (HTTP 401, code 10097, incident inc-1); check the user from --username and the password from --password-file"
    )
    assert.notInclude(line, "THOUGHTSPOT_")
    assert.notInclude(line, "rejected")
    // The same rule as auth status's, which words the failure itself.
    assert.strictEqual(`spotpipe: ${fromThoughtSpot(error, "the signed-in user", signIn).message}`, line)
    // A token: no user to check.
    const token = { host: "https://my.thoughtspot.cloud", method: "token", secret: "THOUGHTSPOT_TOKEN" } as const
    assert.match(fromThoughtSpot(error, "x", token).message, /; check the token from THOUGHTSPOT_TOKEN$/)
  })

  it("a-failed-sign-in-inside-the-first-request-is-said-as-a-sign-in-failure", () => {
    const { Server } = CoreErrors
    const signInFailure = (reason: CoreErrors.ThoughtSpotError["reason"]) =>
      reportFailure(
        Cause.fail(
          toExportError(new ThoughtSpotError({ operation: "auth/token/full", reason }), "the cluster's time zone")
        ),
        false
      ).lines[0]!
    const server = signInFailure(new Server({ description: "ThoughtSpot server error", status: 500 }))
    assert.strictEqual(
      server,
      "spotpipe: ThoughtSpot failed while signing in (auth/token/full): ThoughtSpot server error (HTTP 500): run again later; if it persists, ask a ThoughtSpot administrator"
    )
    const unreachable = signInFailure(new Transport({ description: "socket hang up", host: "ts.example.com:443" }))
    assert.include(unreachable, "cannot reach ThoughtSpot while signing in (auth/token/full): check the host (--host")
    for (const line of [server, unreachable]) assert.notInclude(line, "time zone")
  })

  it("a-refused-sign-in-with-an-org-names-the-org-among-what-to-check", () => {
    const { BadRequest } = CoreErrors
    const error = new ThoughtSpotError({
      operation: "auth/token/full",
      reason: new BadRequest({ description: "ThoughtSpot rejected the request", status: 400 })
    })
    const signIn = {
      host: "https://ts.example.com",
      method: "password",
      secret: "THOUGHTSPOT_PASSWORD",
      hostFrom: "--host"
    } as const
    const line = (org?: string) =>
      reportFailure(
        Cause.fail(toExportError(error, "the export")),
        false,
        org === undefined ? signIn : { ...signIn, org }
      ).lines[0]!
    assert.match(
      line("--org-id"),
      /: check --host, the sign-in method \(auth\) for this cluster, and the Org from --org-id \(one this user belongs to\)$/
    )
    assert.match(line(), /: check --host, and the sign-in method \(auth\) for this cluster$/)
  })

  it("a-refused-sign-in-to-one-org-of-a-run-over-orgs-is-that-org's-not-the-cluster's", () => {
    const { BadRequest, Forbidden, NotFound } = CoreErrors
    const org = { id: 1739504221, name: "Sales LATAM" }
    const signIn = { host: "https://ts.example.com", method: "password", secret: "THOUGHTSPOT_PASSWORD" } as const
    for (const reason of [
      new Forbidden({ description: "the user lacks access", status: 403 }),
      new BadRequest({ description: "ThoughtSpot rejected the request", status: 400 }),
      new NotFound({ description: "no such Org", status: 404 })
    ]) {
      const error = new ThoughtSpotError({ operation: "auth/token/full", reason })
      const said = toExportError(error, 'principals in Org "Sales LATAM"', org)
      assert.instanceOf(said, ExportError)
      assert.match(
        said.message,
        /^ThoughtSpot refused to sign in to Org 1739504221 \(Sales LATAM\) \(auth\/token\/full\): /
      )
      assert.include(said.message, reason.message)
      assert.include(said.message, "the user may not belong to it, or it is inactive")
      assert.include(said.message, "ask a ThoughtSpot administrator to add the user to the Org or to activate it")
      assert.notInclude(said.message, "--host")
      assert.notInclude(said.message, "sign-in method")
      // A failure worded earlier without the Org is worded again as the Org's.
      assert.strictEqual(toExportError(toExportError(error, "the export"), "the export", org).message, said.message)
      // The run's own Org setting (--org-id) does not take it back to the cluster's sign-in.
      for (const run of [signIn, { ...signIn, org: "--org-id" }]) {
        assert.strictEqual(reportFailure(Cause.fail(said), false, run).lines[0], `spotpipe: ${said.message}`)
      }
      // Outside a run over Orgs, the sign-in is the cluster's, as before.
      assert.include(
        toExportError(error, "the export").message,
        "auth status shows which is in effect), and the sign-in method"
      )
    }
    // Refused credentials (401) are the user's wherever they were sent, and other failures in an Org stay as they are.
    const credentials = new ThoughtSpotError({
      operation: "auth/token/full",
      reason: new CoreErrors.Authentication({ description: "ThoughtSpot rejected the credentials", status: 401 })
    })
    assert.notInclude(toExportError(credentials, "the export", org).message, "Org 1739504221")
    const forbiddenRead = new ThoughtSpotError({
      operation: "answerData",
      reason: new Forbidden({ description: "no access", status: 403 })
    })
    assert.include(toExportError(forbiddenRead, 'answer "Sales"', org).message, "share it with this user")
  })

  it("forbidden-system-read-asks-for-timezone", () => {
    const forbidden = (operation: string) =>
      new ThoughtSpotError({ operation, reason: new Forbidden({ description: "no privilege", status: 403 }) })
    assert.include(
      lineOf(forbidden("system")),
      "this user cannot read the cluster's settings (GET system) to learn its time zone: pass --timezone IANA_ZONE"
    )
    assert.include(lineOf(forbidden("answerData")), "share it with this user")
  })

  it("admin-only-requests-refused-name-the-privilege-not-sharing-or-data-download", () => {
    const forbidden = (operation: string) =>
      fromThoughtSpot(
        new ThoughtSpotError({ operation, reason: new Forbidden({ description: "no privilege", status: 403 }) }),
        "principals"
      ).message
    const expected: ReadonlyArray<[string, string]> = [
      ["auditLogs", "needs the ADMINISTRATION privilege"],
      ["exportTmlBatch", "needs the DATAMANAGEMENT (Can manage data) and USERMANAGEMENT (Can manage users) privileges"],
      ["searchUsers", "USER_ADMINISTRATION privilege (Can manage users)"],
      ["searchGroups", "GROUP_ADMINISTRATION privilege (Can manage groups)"],
      ["searchRoles", "ROLE_ADMINISTRATION privilege (Can manage roles)"],
      ["searchOrgs", "ORG_ADMINISTRATION"]
    ]
    for (const [operation, privilege] of expected) {
      const line = forbidden(operation)
      assert.include(line, privilege, operation)
      assert.include(
        line,
        "which this user lacks: sign in as a user who holds it, ask a ThoughtSpot administrator to grant it",
        operation
      )
      assert.notInclude(line, "share it", operation)
      assert.notInclude(line, "data download", operation)
    }
    // Listing the Orgs is what --orgs needs: leaving Orgs out of it cannot help, one Org at a time can.
    assert.include(forbidden("searchOrgs"), "export one Org at a time with --org-id ID instead of --orgs")
    // An object's own export still asks for it to be shared.
    assert.include(forbidden("fetchPermissions"), "share it with this user")
  })

  it("connection-failures-say-what-to-check", () => {
    const transport = (fields: ConstructorParameters<typeof Transport>[0]) =>
      lineOf(new ThoughtSpotError({ operation: "system", reason: new Transport(fields) }))
    assert.strictEqual(
      transport({ description: "x", networkCode: "ENOTFOUND", host: "ts.invalid:443", retryable: false }),
      "spotpipe: cannot resolve host ts.invalid: check the host (--host, a job file's, THOUGHTSPOT_HOST or a profile's: spotpipe auth status shows which is in effect)"
    )
    assert.include(
      transport({ description: "x", networkCode: "ECONNREFUSED", host: "127.0.0.1:4010" }),
      "spotpipe: nothing is listening at 127.0.0.1:4010"
    )
    assert.strictEqual(
      transport({
        description: "the server at https://127.0.0.1:4010 answered in plain HTTP: did you mean http://127.0.0.1:4010?",
        networkCode: "ERR_SSL_WRONG_VERSION_NUMBER",
        host: "127.0.0.1:4010",
        retryable: false
      }),
      "spotpipe: the server at https://127.0.0.1:4010 answered in plain HTTP: did you mean http://127.0.0.1:4010?"
    )
  })

  it("host-failures-name-where-the-host-came-from-once-the-run's-sign-in-is-known", () => {
    const refused = new ThoughtSpotError({
      operation: "system",
      reason: new Transport({ description: "x", networkCode: "ECONNREFUSED", host: "127.0.0.1:4010" })
    })
    const signIn = (hostFrom: string) => ({
      host: "http://127.0.0.1:4010",
      method: "password" as const,
      secret: "THOUGHTSPOT_PASSWORD",
      hostFrom
    })
    // Worded where the sign-in is known.
    assert.strictEqual(
      fromThoughtSpot(refused, "x", signIn("THOUGHTSPOT_HOST")).message,
      "nothing is listening at 127.0.0.1:4010: check the host from THOUGHTSPOT_HOST and that ThoughtSpot is running"
    )
    assert.include(fromThoughtSpot(refused, "x", signIn("--host")).message, "check --host and")
    // Worded where it was not (an export's failure), then said with the run's sign-in.
    const early = toExportError(refused, 'answer "Sales"')
    assert.notInclude(early.message, "check --host")
    assert.strictEqual(
      reportFailure(Cause.fail(early), false, signIn('profile "dead"')).lines[0],
      'spotpipe: nothing is listening at 127.0.0.1:4010: check the host from profile "dead" and that ThoughtSpot is running'
    )
    const redirect = toExportError(
      new ThoughtSpotError({
        operation: "answerData",
        reason: new ResponseDecode({ description: "x", malformed: false, status: 302 })
      }),
      "x"
    )
    assert.strictEqual(
      reportFailure(Cause.fail(redirect), false, signIn("THOUGHTSPOT_HOST")).lines[0],
      "spotpipe: ThoughtSpot answered 302 with no Location: check the host from THOUGHTSPOT_HOST"
    )
    // TLS that cannot work: core's own advice, with where the host URL came from.
    const tls = toExportError(
      new ThoughtSpotError({
        operation: "system",
        reason: new Transport({
          description: "TLS with https://127.0.0.1:4010 failed (x): check the host URL and its scheme",
          host: "127.0.0.1:4010",
          retryable: false
        })
      }),
      "x"
    )
    assert.strictEqual(
      reportFailure(Cause.fail(tls), false, signIn("THOUGHTSPOT_HOST")).lines[0],
      "spotpipe: TLS with https://127.0.0.1:4010 failed (x): check the host URL and its scheme (the host URL is from THOUGHTSPOT_HOST)"
    )
    // A sign-in refused for what it asks names the host's source among what to check.
    const notFound = new ThoughtSpotError({
      operation: "auth/token/full",
      reason: new NotFound({ description: "no such endpoint", status: 404 })
    })
    assert.include(
      reportFailure(Cause.fail(toExportError(notFound, "x")), false, signIn("THOUGHTSPOT_HOST")).lines[0]!,
      "check the host from THOUGHTSPOT_HOST, and the sign-in method"
    )
  })

  it("answers-that-are-not-json-say-what-arrived", () => {
    const decode = (fields: ConstructorParameters<typeof ResponseDecode>[0]) =>
      lineOf(new ThoughtSpotError({ operation: "answerData", reason: new ResponseDecode(fields) }))
    assert.strictEqual(
      decode({ description: "x", malformed: false, status: 302 }),
      "spotpipe: ThoughtSpot answered 302 with no Location: check the host (--host, a job file's, THOUGHTSPOT_HOST or a profile's: spotpipe auth status shows which is in effect)"
    )
    assert.include(
      decode({ description: "x", malformed: false, status: 301, location: "https://sso.example.com/login" }),
      "ThoughtSpot answered 301, redirecting to https://sso.example.com/login: check the host ("
    )
    assert.strictEqual(
      decode({ description: "x", malformed: false, status: 200, contentType: "text/html" }),
      "spotpipe: the response is HTML, not JSON (content-type text/html): is the host (--host, a job file's, THOUGHTSPOT_HOST or a profile's: spotpipe auth status shows which is in effect) the ThoughtSpot URL, not a login page or proxy?"
    )
  })
})
