/**
 * Enum-typed request fields: a value outside the OpenAPI document's enum gets ThoughtSpot's 400 naming the field
 * and the allowed values, so a client that sends a wrong value fails here instead of passing every test.
 */
import { describe, expect, it } from "vitest"
import { nestedError, sandbox } from "./harness.ts"

describe("request enums", () => {
  it("metadata-search-refuses-values-outside-the-spec-enums", async () => {
    const { call, token } = await sandbox()
    const t = await token()
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ sort_options: { field_name: "TITLE" } }, "field_name must be one of NAME, DISPLAY_NAME, AUTHOR, CREATED"],
      [
        { sort_options: { field_name: "NAME", order: "DESCENDING" } },
        "order must be one of ASC, DESC; got 'DESCENDING'"
      ],
      [{ sort_options: { field_name: "name", order: "ASC" } }, "got 'name'"],
      [{ sort_options: "NAME" }, "sort_options must be an object"],
      [{ metadata: [{ type: "LOGICAL_TABLE", subtypes: ["VIEW"] }] }, "each subtypes item must be one of"],
      [{ metadata: [{ type: "WORKSHEET" }] }, "type must be one of LIVEBOARD, ANSWER, LOGICAL_TABLE"],
      [{ dependent_object_version: "V3" }, "dependent_object_version must be one of V1, V2"],
      [{ liveboard_response_version: "v2" }, "liveboard_response_version must be one of V1, V2"]
    ]
    for (const [body, hint] of cases) {
      const r = await call("metadata/search", body, { token: t })
      expect(r.status, JSON.stringify(body)).toBe(400)
      const error = nestedError(r.text)
      expect(error.code).toBe(10002)
      expect(error.debug.join(" ")).toContain(hint)
    }
    // The spec's types the sandbox has no objects of are answered with no objects, not refused.
    for (const type of ["LOGICAL_RELATIONSHIP", "INSIGHT_SPEC", "COLLECTION"]) {
      const r = await call("metadata/search", { metadata: [{ type }] }, { token: t })
      expect(r.status, type).toBe(200)
      expect(r.json<Array<unknown>>()).toEqual([])
    }
    // The spec's values are answered, including the ones the sandbox orders by name.
    for (const field_name of ["NAME", "DISPLAY_NAME", "AUTHOR", "CREATED", "MODIFIED", "VIEWS", "FAVORITES"]) {
      const r = await call("metadata/search", { sort_options: { field_name, order: "DESC" } }, { token: t })
      expect(r.status, field_name).toBe(200)
    }
  })

  it("principal-searches-refuse-privileges-and-permissions-outside-the-spec-enums", async () => {
    const { call, token } = await sandbox()
    const t = await token()
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["users/search", { privileges: ["ADMIN"] }, "each privileges item must be one of ADMINISTRATION"],
      ["groups/search", { privileges: ["AUTHORING", "authoring"] }, "got 'authoring'"],
      // SECURITYMANAGEMENT is a role privilege in the spec, but not a user or group one.
      ["users/search", { privileges: ["SECURITYMANAGEMENT"] }, "got 'SECURITYMANAGEMENT'"],
      ["roles/search", { privileges: ["ADMIN"] }, "each privileges item must be one of UNKNOWN, ADMINISTRATION"],
      ["roles/search", { permissions: ["READ"] }, "each permissions item must be one of READ_ONLY, MODIFY, NO_ACCESS"],
      ["users/search", { sort_options: { field_name: "VIEWS" } }, "field_name must be one of NAME"]
    ]
    for (const [path, body, hint] of cases) {
      const r = await call(path, body, { token: t })
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400)
      expect(nestedError(r.text).debug.join(" ")).toContain(hint)
    }
    expect((await call("roles/search", { privileges: ["SECURITYMANAGEMENT"] }, { token: t })).status).toBe(200)
    expect((await call("users/search", { privileges: ["ADMINISTRATION"] }, { token: t })).status).toBe(200)
  })
})
