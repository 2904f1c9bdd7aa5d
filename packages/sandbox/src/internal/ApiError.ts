/**
 * ThoughtSpot error responses. Live clusters nest the details at `error.message.debug` with the inner `debug`
 * being a JSON-encoded array of strings (shape B); the OpenAPI document's examples use a flatter
 * shape A (`error.message.{code,incident_id_guid,trace_id_guid,debug}` with a plain string). Shape B is the
 * default; `errorShape: "flat"` switches to A.
 */
import { randomUUID } from "node:crypto"

/** Which error body shape to emit. */
export type ErrorShape = "nested" | "flat"

/** An HTTP error the sandbox answers with. */
export class ApiError {
  readonly _tag = "ApiError"
  readonly status: number
  readonly code: number
  readonly message: string
  readonly headers: Readonly<Record<string, string>>
  constructor(status: number, code: number, message: string, headers: Readonly<Record<string, string>> = {}) {
    this.status = status
    this.code = code
    this.message = message
    this.headers = headers
  }
}

/** 400, code 10002: invalid request or parameter. */
export const badRequest = (message: string) => new ApiError(400, 10002, message)
/** 401, code 10097: missing, wrong, expired or revoked credentials. */
export const unauthorized = (message: string) => new ApiError(401, 10097, message)
/** 403, code 10023: the caller may not read this object. */
export const forbidden = (message: string) => new ApiError(403, 10023, message)

/** The JSON body of an error, in the chosen shape. */
export const errorBody = (error: ApiError, shape: ErrorShape): string => {
  const incident = randomUUID()
  const inner = {
    code: error.code,
    incident_id_guid: incident,
    trace_id_guid: "tracing-disabled",
    debug:
      shape === "nested"
        ? JSON.stringify([`Error Code: ${error.code} Incident Id: ${incident}\nError Message: ${error.message}`])
        : error.message
  }
  return JSON.stringify({ error: { message: shape === "nested" ? { debug: inner } : inner } })
}
