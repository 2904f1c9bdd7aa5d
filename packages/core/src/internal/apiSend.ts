/**
 * How the client's `request()` sends an `ApiCall.ApiRequest`: through the requester, with the client's
 * credentials. Internal: its requester and credential source are the client's own, which nothing outside has.
 */
import { Effect } from "effect"
import {
  type ApiRequest,
  type ApiResponse,
  apiPath,
  changesState,
  requestProblem,
  secretsOf,
  shownPath
} from "../ApiCall.ts"
import type { ThoughtSpotError } from "../ThoughtSpotError.ts"
import * as Classify from "./classify.ts"
import { parsed } from "./jsonBytes.ts"
import type * as Requester from "./Requester.ts"

const encodeQuery = (query: ReadonlyArray<readonly [string, string]>): string =>
  query.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join("&")

/**
 * Sends `request` with `requester` and `credentials` (the client's): a 2xx answer's status and bytes. The
 * operation in errors and retry logs is `METHOD path`. A bad path fails as `BadRequest` before anything is
 * sent; a 2xx answer that is not JSON (an HTML page, another content type, a body cut short, which is retried
 * first) fails as `ResponseDecode`. A request {@link requestProblem} refuses (a body that is not text …) dies with
 * its `TypeError`.
 */
export const send = (
  requester: Requester.Requester,
  credentials: Requester.CredentialSource,
  request: ApiRequest
): Effect.Effect<ApiResponse, ThoughtSpotError> => {
  // A programming error (plain JavaScript past the types): the call dies with a TypeError, before anything is sent.
  const problem = requestProblem(request)
  if (problem !== undefined) return Effect.die(problem)
  const checked = apiPath(request.path)
  const operation = `${request.method} ${checked._tag === "Ok" ? checked.path.split("?", 1)[0] : shownPath(request.path)}`
  if (checked._tag === "Refused") return Effect.fail(Classify.badInput(operation, checked.message))
  const query = request.query === undefined || request.query.length === 0 ? "" : encodeQuery(request.query)
  const path = query === "" ? checked.path : `${checked.path}${checked.path.includes("?") ? "&" : "?"}${query}`
  return requester.run(
    {
      operation,
      method: request.method,
      path,
      changesState: changesState(request.method, checked.path),
      secrets: secretsOf(request),
      ...(request.body === undefined ? {} : { bodyText: request.body }),
      decode: (raw) => {
        // Copied: the body's memory is reused once this ends.
        const bytes = new Uint8Array(raw.bytes)
        // Passed on unparsed, but never broken: a body cut short in transit is requested again (a malformed
        // decode failure is retried), and fails loudly once the retries are spent.
        if (bytes.length > 0 && parsed(bytes) === undefined) {
          return Effect.fail(
            Classify.badBody(operation, "the answer is not valid JSON (cut short in transit?)", true, raw.status)
          )
        }
        return Effect.succeed({ status: raw.status, contentType: raw.headers["content-type"], bytes })
      }
    },
    credentials
  )
}
