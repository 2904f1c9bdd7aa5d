/**
 * A request ThoughtSpot rejects (HTTP 400) is said in one line that names what was asked for and says
 * "ThoughtSpot rejected the request" once, with the status, code and incident id once: core's own wording of the
 * same rejection is not repeated, nor the `Error Code: … Incident Id: … Error Message:` header clusters put
 * before their message, when it only repeats the code and incident id.
 */
import { assert, describe, it } from "@effect/vitest"
import { ThoughtSpotError as CoreErrors } from "@spotpipe/core"
import { fromThoughtSpot } from "../src/Failure.ts"

const incident = "2e2f1ec6-0f1b-45a0-85cb-8acacb2863e0"

const rejected = (fields: Partial<{ serverMessage: string; incidentId: string; code: number }>, description?: string) =>
  new CoreErrors.ThoughtSpotError({
    operation: "answerData",
    reason: new CoreErrors.BadRequest({
      description: description ?? "ThoughtSpot rejected the request",
      status: 400,
      ...fields
    })
  })

describe("a rejected request", () => {
  it("says the rejection and the incident id once, without the cluster's header", () => {
    const error = rejected({
      code: 10002,
      incidentId: incident,
      serverMessage: `Error Code: 10002 Incident Id: ${incident} Error Message: Invalid parameter values: runtime_sort sortCol1: unknown column 'Bogus'`
    })
    const line = fromThoughtSpot(error, 'answer "Revenue by Month"').message
    assert.strictEqual(
      line,
      `ThoughtSpot rejected the request for answer "Revenue by Month" (HTTP 400, code 10002, incident ${incident}): Invalid parameter values: runtime_sort sortCol1: unknown column 'Bogus'`
    )
    assert.strictEqual(line.split("rejected the request").length, 2)
    assert.strictEqual(line.split(incident).length, 2)
  })

  it("keeps a header that says more than the facts beside it, and names the incident once", () => {
    const other = "0d0b4a8e-0000-4000-8000-000000000001"
    const line = fromThoughtSpot(
      rejected({
        code: 10002,
        incidentId: incident,
        serverMessage: `Error Code: 10002 Incident Id: ${other} Error Message: no`
      }),
      "the export"
    ).message
    assert.include(line, `(HTTP 400, code 10002, incident ${incident}): Error Code: 10002 Incident Id: ${other}`)
    // The server's text naming the incident already: not said again beside it.
    const named = fromThoughtSpot(
      rejected({ incidentId: incident, serverMessage: `failed, incident ${incident}` }),
      "x"
    )
    assert.strictEqual(named.message, `ThoughtSpot rejected the request for x (HTTP 400): failed, incident ${incident}`)
  })

  it("keeps core's own description when it says something else", () => {
    const line = fromThoughtSpot(
      rejected({}, "could not send GET http://bad host/api: invalid URL; check the host URL"),
      "the export"
    ).message
    assert.strictEqual(
      line,
      "ThoughtSpot rejected the request for the export: could not send GET http://bad host/api: invalid URL; check the host URL (HTTP 400)"
    )
  })
})
