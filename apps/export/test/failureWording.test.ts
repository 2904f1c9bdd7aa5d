/**
 * The CLI's failure lines are worded for its user: a time limit that ran out is named by its flag (`--timeout`,
 * `--deadline`), not by core's option names (`attemptTimeoutMillis`, `deadlineMillis`), which core's own messages
 * keep as its API; and no line names core's reason tags (`Server:`, `BadRequest:`, `ResponseDecode:` …).
 */
import { assert, describe, it } from "@effect/vitest"
import { ThoughtSpotError as CoreErrors } from "@spotpipe/core"
import { fromThoughtSpot } from "../src/Failure.ts"

const failed = (operation: string, reason: CoreErrors.ThoughtSpotError["reason"]) =>
  fromThoughtSpot(new CoreErrors.ThoughtSpotError({ operation, reason }), 'answer "Sales"').message

const tags = ["Server", "BadRequest", "NotFound", "Forbidden", "ResponseDecode", "Timeout", "UnsupportedMediaType"]

describe("failure lines for a CLI user", () => {
  it("name the time limit that ran out by its flag", () => {
    const attempt = failed(
      "answerData",
      new CoreErrors.Timeout({
        retryable: true,
        limit: "attempt",
        limitMillis: 1000,
        description: "no complete response within 1 s (the per-attempt timeout, attemptTimeoutMillis)"
      })
    )
    assert.include(attempt, "no complete response within 1 s, the --timeout of one attempt")
    assert.notInclude(attempt, "attemptTimeoutMillis")
    const deadline = failed(
      "answerData",
      new CoreErrors.Timeout({
        retryable: false,
        limit: "deadline",
        limitMillis: 2500,
        description:
          "gave up after 2500 ms, retries included (the request deadline, deadlineMillis): check the server, or allow more time"
      })
    )
    assert.include(deadline, "gave up after 2500 ms with retries, the --deadline")
    assert.notInclude(deadline, "deadlineMillis")
    // The server's own timeout (408) as core says it: no option of the client ran out.
    const server = failed(
      "answerData",
      new CoreErrors.Timeout({
        retryable: true,
        status: 408,
        description: "ThoughtSpot timed out waiting for the request"
      })
    )
    assert.include(server, "(ThoughtSpot timed out waiting for the request (HTTP 408))")
  })

  it("never name core's reason tags", () => {
    const lines = [
      failed("answerData", new CoreErrors.Server({ status: 500, description: "ThoughtSpot server error" })),
      failed("auth/token/full", new CoreErrors.Server({ status: 500, description: "ThoughtSpot server error" })),
      failed(
        "auth/token/full",
        new CoreErrors.BadRequest({ status: 400, description: "ThoughtSpot rejected the request" })
      ),
      failed("auth/token/full", new CoreErrors.Forbidden({ status: 403, description: "the user lacks access" })),
      failed("auth/token/full", new CoreErrors.NotFound({ status: 404, description: "not found" })),
      failed(
        "answerData",
        new CoreErrors.UnsupportedMediaType({
          status: 415,
          description: "ThoughtSpot refused the request's content type"
        })
      ),
      failed(
        "answerData",
        new CoreErrors.ResponseDecode({
          malformed: true,
          description: "the data page is not valid JSON (cut short in transit?)"
        })
      )
    ]
    for (const line of lines) for (const tag of tags) assert.notInclude(line, `${tag}: `, line)
    assert.strictEqual(lines[0], 'ThoughtSpot failed while reading answer "Sales": ThoughtSpot server error (HTTP 500)')
  })
})
