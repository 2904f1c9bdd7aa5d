/**
 * Request fields of the OpenAPI document that the sandbox used to read past: each is now honoured as ThoughtSpot
 * documents it, or refused with a 400 that names it, so that a client relying on one never gets an answer that
 * silently ignores it. A field sent with the value that asks for nothing (its default, `[]`, `{}`) is accepted.
 */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { nestedError, sandbox } from "./harness.ts"

interface Found {
  readonly metadata_type: string
  readonly metadata_id: string
  readonly metadata_name: string
}

const setup = async (user: [string, string] = ["tsUserA", "Guest@123!"]) => {
  const s = await sandbox()
  const t = await s.token(...user)
  const post = (path: string, body: Record<string, unknown>) => s.call(path, body, { token: t })
  const search = async (body: Record<string, unknown>) => {
    const r = await post("metadata/search", { record_size: -1, ...body })
    expect(r.status, r.text).toBe(200)
    return r.json<Array<Found>>()
  }
  return { ...s, post, search }
}

/** Expects a 400/10002 whose message contains every hint. */
const expectRefused = (r: { status: number; text: string }, ...hints: ReadonlyArray<string>) => {
  expect(r.status, r.text).toBe(400)
  const error = nestedError(r.text)
  expect(error.code).toBe(10002)
  for (const hint of hints) expect(error.debug.join(" ")).toContain(hint)
}

const names = (found: ReadonlyArray<Found>) => found.map((f) => f.metadata_name).sort()
const saved = { metadata: [{ type: "ANSWER" }, { type: "LIVEBOARD" }] }
const allSaved = [...Object.keys(fixtures.answers), ...Object.keys(fixtures.liveboards)].sort()

describe("metadata/search filters", () => {
  it("exclude-objects-drops-the-named-objects", async () => {
    const { search, post } = await setup()
    const found = await search({
      ...saved,
      exclude_objects: [
        { identifier: fixtures.answers["Order Details"].id, type: "ANSWER" },
        { identifier: "Sales Overview", type: "LIVEBOARD" },
        // The right name with another type excludes nothing.
        { identifier: "Revenue by Month", type: "LIVEBOARD" },
        { identifier: "no such object", type: "ANSWER" }
      ]
    })
    expect(names(found)).toEqual(allSaved.filter((n) => n !== "Order Details" && n !== "Sales Overview"))
    expect(names(await search({ ...saved, exclude_objects: [] }))).toEqual(allSaved)
    // The spec requires both fields of an item.
    expectRefused(
      await post("metadata/search", { exclude_objects: [{ identifier: "Sales Overview" }] }),
      "exclude_objects item needs both identifier and type"
    )
    expectRefused(
      await post("metadata/search", { exclude_objects: [{ identifier: "x", type: "PINBOARD" }] }),
      "type must be one of LIVEBOARD"
    )
    expectRefused(await post("metadata/search", { exclude_objects: "Sales Overview" }), "must be an array")
  })

  it("permissions-keeps-the-objects-a-principal-has-that-permission-on", async () => {
    const { search, post } = await setup()
    const viewer = { identifier: fixtures.limitedUser.username, type: "USER" }
    const readable = await search({ ...saved, permissions: [{ principal: viewer, share_mode: "READ_ONLY" }] })
    expect(names(readable)).toEqual(["Order Details", "Revenue by Month", "Sales Overview"])
    const hidden = await search({ ...saved, permissions: [{ principal: viewer, share_mode: "NO_ACCESS" }] })
    expect(names(hidden)).toEqual(allSaved.filter((n) => !names(readable).includes(n)))
    expect(await search({ ...saved, permissions: [{ principal: viewer, share_mode: "MODIFY" }] })).toEqual([])
    // The author and administrator may change everything; a group by name, with its type left out.
    const byAdmin = await search({
      ...saved,
      permissions: [{ principal: { identifier: fixtures.user.id }, share_mode: "MODIFY" }]
    })
    expect(names(byAdmin)).toEqual(allSaved)
    const analysts = await search({
      ...saved,
      permissions: [{ principal: { identifier: "Analysts" }, share_mode: "READ_ONLY" }]
    })
    expect(names(analysts)).toEqual(names(readable))
    // Items are alternatives; objects without permissions (users, groups, tags) never match.
    const either = await search({
      permissions: [
        { principal: viewer, share_mode: "READ_ONLY" },
        { principal: viewer, share_mode: "NO_ACCESS" }
      ]
    })
    expect(new Set(either.map((f) => f.metadata_type))).toEqual(
      new Set(["ANSWER", "LIVEBOARD", "LOGICAL_TABLE", "LOGICAL_COLUMN", "CONNECTION"])
    )
    expectRefused(
      await post("metadata/search", { permissions: [{ principal: { identifier: "nobody" }, share_mode: "MODIFY" }] }),
      "no user or group 'nobody' in this org"
    )
    expectRefused(
      await post("metadata/search", { permissions: [{ principal: viewer }] }),
      "needs both principal and share_mode"
    )
    expectRefused(
      await post("metadata/search", { permissions: [{ principal: viewer, share_mode: "READ" }] }),
      "share_mode must be one of READ_ONLY, MODIFY, NO_ACCESS"
    )
  })

  it("created-and-modified-by-keep-the-objects-of-that-user", async () => {
    const { search } = await setup()
    const all = await search({})
    for (const key of ["created_by_user_identifiers", "modified_by_user_identifiers"]) {
      // Every object of the sandbox was created and last changed by the default user.
      expect(await search({ [key]: [fixtures.user.id] }), key).toEqual(all)
      expect(await search({ [key]: ["TSUSERA"] }), key).toEqual(all)
      expect(await search({ [key]: [fixtures.limitedUser.id] }), key).toEqual([])
      expect(await search({ [key]: ["nobody", fixtures.user.username] }), key).toEqual(all)
    }
  })

  it("refuses-what-it-cannot-honour-and-accepts-the-defaults", async () => {
    const { post } = await setup()
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ include_dependent_objects: true }, "include_dependent_objects is not supported by the sandbox"],
      [{ include_stats: true }, "include_stats is not supported by the sandbox"],
      [{ include_only_published_objects: true }, "include_only_published_objects is not supported"],
      [{ favorite_object_options: { include: true } }, "favorite_object_options.include is not supported"],
      [{ metadata: [{ obj_identifier: "orders-model" }] }, "metadata[].obj_identifier is not supported"],
      [{ include_stats: "yes" }, "include_stats must be a boolean"],
      // A tag filter that is not a list was read as no filter at all.
      [{ tag_identifiers: "Certified" }, "tag_identifiers must be an array of strings"],
      [{ include_hidden_objects: 1 }, "include_hidden_objects must be a boolean"]
    ]
    for (const [body, hint] of refused) {
      const r = await post("metadata/search", body)
      expectRefused(r, hint)
      if (hint.includes("not supported")) expect(nestedError(r.text).debug.join(" ")).toContain("leave it out")
    }
    const accepted: Array<Record<string, unknown>> = [
      { include_dependent_objects: false, dependent_objects_record_size: 10 },
      { include_stats: false, include_only_published_objects: false },
      { favorite_object_options: { include: false, user_identifiers: ["tsUserA"] } },
      { metadata: [{ type: "ANSWER", obj_identifier: "" }] },
      // The sandbox has no hidden, auto-created, incomplete or discoverable-only objects: nothing to add or remove.
      { include_hidden_objects: true, include_auto_created_objects: true, include_incomplete_objects: true },
      { include_discoverable_objects: false, show_resolved_parameters: true, include_personalised_views: true }
    ]
    const plain = await post("metadata/search", { record_size: -1 })
    for (const body of accepted) {
      const r = await post("metadata/search", { record_size: -1, ...body })
      expect(r.status, JSON.stringify(body)).toBe(200)
      if (body["metadata"] === undefined) expect(r.json(), JSON.stringify(body)).toEqual(plain.json())
    }
  })
})

describe("principal and token requests", () => {
  it("users-search-refuses-favorites-preferences-and-variables", async () => {
    const { post } = await setup()
    const revenue = fixtures.answers["Revenue by Month"]
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ favorite_metadata: [{ identifier: revenue.id, type: "ANSWER" }] }, "favorite_metadata is not supported"],
      [{ include_favorite_metadata: true }, "include_favorite_metadata is not supported"],
      [{ include_variable_values: true }, "include_variable_values is not supported"],
      [{ home_liveboard_identifier: "Sales Overview" }, "home_liveboard_identifier is not supported"],
      [{ notify_on_share: false }, "notify_on_share is not supported"],
      [{ show_onboarding_experience: true }, "show_onboarding_experience is not supported"],
      [{ onboarding_experience_completed: false }, "onboarding_experience_completed is not supported"],
      [{ favorite_metadata: "Revenue by Month" }, "favorite_metadata must be an array"]
    ]
    for (const [body, hint] of refused) expectRefused(await post("users/search", body), hint)
    const all = await post("users/search", { record_size: -1 })
    for (const body of [
      { favorite_metadata: [] },
      { include_favorite_metadata: false, include_variable_values: false }
    ]) {
      const r = await post("users/search", { record_size: -1, ...body })
      expect(r.status, JSON.stringify(body)).toBe(200)
      expect(r.json()).toEqual(all.json())
    }
  })

  it("token-requests-refuse-jit-provisioning-and-user-parameters", async () => {
    const { call, sb } = await setup()
    const answer = fixtures.answers["Revenue by Month"].id
    const base = { username: "tsUserA", secret_key: sb.secretKey }
    for (const [path, extra] of [
      ["auth/token/full", {}],
      ["auth/token/object", { object_id: answer }]
    ] as const) {
      const refused: Array<[Record<string, unknown>, string]> = [
        [{ auto_create: true, email: "new@example.com" }, "auto_create is not supported by the sandbox"],
        [
          { user_parameters: { runtime_filters: [{ column_name: "Region", operator: "EQ", values: ["West"] }] } },
          "user_parameters is not supported by the sandbox"
        ],
        [{ user_parameters: { parameters: [{ name: "p", values: ["1"] }] } }, "user_parameters is not supported"],
        [{ user_parameters: [] }, "user_parameters must be an object"],
        [{ group_identifiers: "Analysts" }, "group_identifiers must be an array of strings"]
      ]
      for (const [body, hint] of refused) expectRefused(await call(path, { ...base, ...extra, ...body }), hint)
      // Without auto_create, ThoughtSpot uses the user's properties for nothing; empty user parameters ask nothing.
      const r = await call(path, {
        ...base,
        ...extra,
        auto_create: false,
        email: "a@example.com",
        display_name: "A",
        group_identifiers: ["Analysts"],
        user_parameters: { runtime_filters: [], runtime_sorts: [], parameters: [] }
      })
      expect(r.status, `${path} ${r.text}`).toBe(200)
    }
  })
})

describe("data and TML requests", () => {
  it("data-requests-apply-runtime-filters-and-sorts-and-refuse-parameters", async () => {
    const { post } = await setup()
    const requests: Array<[string, Record<string, unknown>]> = [
      ["searchdata", { query_string: "[Region] [Revenue]", logical_table_identifier: fixtures.ordersTable.id }],
      ["metadata/answer/data", { metadata_identifier: fixtures.answers["Revenue by Region and Product"].id }],
      [
        "metadata/liveboard/data",
        {
          metadata_identifier: fixtures.liveboards["Sales Overview"].id,
          visualization_identifiers: ["Revenue by Region"]
        }
      ]
    ]
    type Content = { column_names: Array<string>; data_rows: Array<Array<unknown>> }
    const rowsOf = (r: { status: number; text: string }) => {
      expect(r.status, r.text).toBe(200)
      const body = JSON.parse(r.text) as { contents: Array<Content> }
      return body.contents[0]!
    }
    for (const [path, body] of requests) {
      const plain = rowsOf(await post(path, body))
      const revenue = plain.column_names.indexOf("Total Revenue")
      const ascending = rowsOf(await post(path, { ...body, runtime_sort: { sortCol1: "Total Revenue", asc1: true } }))
      const values = ascending.data_rows.map((row) => Number(row[revenue]))
      expect(values, path).toEqual([...values].sort((a, b) => a - b))
      expect(values.length, path).toBe(plain.data_rows.length)
      // The model's column name sorts too; asc defaults to ascending.
      const byModel = rowsOf(await post(path, { ...body, runtime_sort: { sortCol1: "revenue" } }))
      expect(byModel.data_rows, path).toEqual(ascending.data_rows)
      // A DATE value in epoch seconds, as ThoughtSpot documents it: the day it falls on in the sandbox's zone.
      const since = (val1: string) =>
        post(path, { ...body, runtime_filter: { col1: "Order Date", op1: "GE", val1 } }).then(rowsOf)
      expect((await since(String(Date.UTC(2099, 0, 1) / 1000))).data_rows, path).toEqual([])
      const midnight = await since(String(Date.parse("2024-06-01T00:00:00-07:00") / 1000))
      expect(midnight.data_rows, path).not.toEqual(plain.data_rows)
      expect((await since(String(Date.UTC(2024, 5, 1, 12) / 1000))).data_rows, path).toEqual(midnight.data_rows)
      expectRefused(
        await post(path, {
          ...body,
          runtime_filter: { col1: "Order Date", op1: "BW", val1: ["1704096000", "1735718400"] }
        }),
        "runtime_filter op1 'BW' is not applied by the sandbox: it applies EQ, NE, LT, LE, GT, GE"
      )
      expectRefused(
        await post(path, { ...body, runtime_sort: { sortCol1: "Region", sortCol2: "Total Revenue" } }),
        "the sandbox sorts by one column only"
      )
      expectRefused(
        await post(path, { ...body, runtime_sort: { sortCol1: "Colour" } }),
        "unknown column 'Colour'; the result has"
      )
      expectRefused(
        await post(path, { ...body, runtime_param_override: { param1: "Rate", paramVal1: 0.5 } }),
        "runtime_param_override is not supported"
      )
      expectRefused(await post(path, { ...body, runtime_filter: "Region = West" }), "runtime_filter must be an object")
      const raw = await post(path, body)
      const empty = await post(path, { ...body, runtime_filter: {}, runtime_sort: {}, runtime_param_override: {} })
      expect(empty.status, path).toBe(200)
      expect(empty.text).toBe(raw.text)
    }
    // A row-level answer: the filter keeps exactly the rows whose cell passes it.
    const details = { metadata_identifier: fixtures.answers["Order Details"].id, record_size: -1 }
    const all = rowsOf(await post("metadata/answer/data", details))
    const quantity = all.column_names.indexOf("Quantity")
    const big = rowsOf(
      await post("metadata/answer/data", { ...details, runtime_filter: { col1: "Quantity", op1: "GT", val1: 5 } })
    )
    expect(big.data_rows).toEqual(all.data_rows.filter((row) => row[quantity] !== null && Number(row[quantity]) > 5))
    expect(big.data_rows.length).toBeGreaterThan(0)
    const sales = { metadata_identifier: fixtures.liveboards["Sales Overview"].id }
    expectRefused(
      await post("metadata/liveboard/data", { ...sales, transient_content: '{"x":1}' }),
      "transient_content is not supported by the sandbox"
    )
    expect((await post("metadata/liveboard/data", { ...sales, transient_content: "" })).status).toBe(200)
  })

  it("tml-export-refuses-options-it-cannot-honour", async () => {
    const { post, search } = await setup()
    const revenue = fixtures.answers["Revenue by Month"]
    const one = { metadata: [{ identifier: revenue.id, type: "ANSWER" }] }
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ all_orgs_override: true }, "all_orgs_override is not supported by the sandbox"],
      [{ export_options: { include_obj_id: true } }, "export_options.include_obj_id is not supported"],
      [{ export_options: { include_obj_id_ref: true } }, "export_options.include_obj_id_ref is not supported"],
      [{ export_options: { include_guid: false } }, "export_options.include_guid is not supported"],
      [{ export_options: { export_with_column_aliases: true } }, "export_with_column_aliases is not supported"],
      [{ export_options: { include_fqn: true } }, "export_options has no flag 'include_fqn'"],
      [{ export_options: { include_guid: "no" } }, "export_options.include_guid must be a boolean"]
    ]
    for (const [body, hint] of refused) expectRefused(await post("metadata/tml/export", { ...one, ...body }), hint)
    const plain = await post("metadata/tml/export", one)
    const defaults = await post("metadata/tml/export", {
      ...one,
      all_orgs_override: false,
      export_options: { include_guid: true, include_obj_id: false, export_with_associated_feedbacks: false }
    })
    expect(defaults.text).toBe(plain.text)
    // export_dependent adds a connection's tables: refused when a connection is exported, inert otherwise.
    const [connection] = await search({ metadata: [{ type: "CONNECTION" }] })
    expectRefused(
      await post("metadata/tml/export", {
        metadata: [{ identifier: connection!.metadata_id, type: "CONNECTION" }],
        export_dependent: true
      }),
      "export_dependent is not supported by the sandbox"
    )
    expectRefused(
      await post("metadata/tml/export", {
        ...one,
        export_associated: true,
        export_connection_as_dependent: true,
        export_dependent: true
      }),
      "export_dependent is not supported"
    )
    expect((await post("metadata/tml/export", { ...one, export_dependent: true })).text).toBe(plain.text)
    for (const body of [{ export_dependent: true }, { all_orgs_override: true }]) {
      expectRefused(
        await post("metadata/tml/export/batch", { metadata_type: "USER", ...body }),
        `${Object.keys(body)[0]} is not supported by the sandbox`
      )
    }
    expect((await post("metadata/tml/export/batch", { metadata_type: "USER", export_dependent: false })).status).toBe(
      200
    )
  })

  it("tml-export-answers-an-answer-session-item-with-an-error", async () => {
    const { post } = await setup()
    const revenue = fixtures.answers["Revenue by Month"]
    const r = await post("metadata/tml/export", {
      metadata: [
        { identifier: revenue.id, type: "ANSWER", session_identifier: "s-1", generation_number: 2 },
        { type: "ANSWER", session_identifier: "s-2", generation_number: 1 },
        { identifier: revenue.id, type: "ANSWER" }
      ]
    })
    expect(r.status, r.text).toBe(200)
    const items = r.json<Array<{ info: { id: string; status: { status_code: string; error_message?: string } } }>>()
    expect(items.map((i) => [i.info.id, i.info.status.status_code])).toEqual([
      [revenue.id, "ERROR"],
      ["s-2", "ERROR"],
      [revenue.id, "OK"]
    ])
    expect(items[0]!.info.status.error_message).toContain("answer sessions (session_identifier, generation_number)")
    expectRefused(
      await post("metadata/tml/export", { metadata: [{ identifier: revenue.id, generation_number: "2" }] }),
      "generation_number must be an integer"
    )
  })
})
