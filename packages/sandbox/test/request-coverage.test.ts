/**
 * Every request field the official TypeScript SDK (@thoughtspot/rest-api-sdk, a client nobody here wrote) sends
 * to the endpoints below is accounted for: sent with a value that asks for something, it either changes the
 * answer (honoured) or is refused with a 400 that names it as unsupported; the few it accepts without effect are
 * listed with the reason and checked to change nothing. The field lists are the SDK's request models (the
 * attribute map its serializer writes the body from) and the endpoint-to-model pairing is its generated request
 * factory's, so a field the SDK gains, or a handler that stops reading one, fails here.
 */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { nestedError, sandbox } from "./harness.ts"
import { modelFields, modelOf, modelRequired, requestModels } from "./sdk-models.ts"

type Body = Record<string, unknown>

/** How one endpoint's fields are checked; each body change is merged into `base`. */
interface Probe {
  readonly base: Body
  /** Fields in `base` the request cannot do without: leaving one out is a 400. */
  readonly required?: ReadonlyArray<string>
  /** A change that asks for something: a 200 that differs from the base's (status or body). */
  readonly honoured: Readonly<Record<string, Body>>
  /** An honoured change whose answer is not a 200 (a wrong password, say): its status. */
  readonly honouredStatus?: Readonly<Record<string, number>>
  /** A change the sandbox cannot honour: 400 naming the field as unsupported. */
  readonly refused?: Readonly<Record<string, Body>>
  /** Accepted without effect, as the README says why: 200 and the base's answer. */
  readonly inert?: Readonly<Record<string, Body>>
}

const revenue = fixtures.answers["Revenue by Month"]
const sales = fixtures.liveboards["Sales Overview"]
const nowMs = Date.parse("2026-01-15T12:00:00Z")
const sortDesc = { sort_options: { field_name: "NAME", order: "DESC" } }
const tokenFields = (base: Body, other: Body, otherStatus: Readonly<Record<string, number>> = {}): Probe => ({
  base,
  required: ["username"],
  honoured: {
    password: { password: "Wrong@123!" },
    secret_key: { secret_key: "not-the-secret-key" },
    validity_time_in_sec: { validity_time_in_sec: 60 },
    org_id: { org_id: fixtures.orgs[1]!.id },
    ...other
  },
  honouredStatus: { password: 401, secret_key: 401, ...otherStatus },
  refused: {
    auto_create: { auto_create: true },
    user_parameters: {
      user_parameters: { runtime_filters: [{ column_name: "Region", operator: "EQ", values: ["x"] }] }
    }
  },
  // They describe a user for auto_create to make; without it ThoughtSpot uses them for nothing.
  inert: {
    email: { email: "someone@example.com" },
    display_name: { display_name: "Someone" },
    group_identifiers: { group_identifiers: ["Analysts"] }
  }
})
/** Runtime filters and sorts select and order rows (request-fields.test.ts checks which); parameters are refused. */
const runtime = {
  // 2024-06-01 in the sandbox's zone, America/Los_Angeles, in epoch seconds as runtime filters take dates.
  runtime_filter: {
    runtime_filter: { col1: "Order Date", op1: "GE", val1: String(Date.parse("2024-06-01T00:00:00-07:00") / 1000) }
  },
  runtime_sort: { runtime_sort: { sortCol1: "Revenue", asc1: false } }
}
const runtimeRefused = { runtime_param_override: { runtime_param_override: { param1: "Rate", paramVal1: 0.5 } } }
const paging = { record_offset: { record_offset: 1 }, record_size: { record_size: 1 } }

const probes: Readonly<Record<string, Probe>> = {
  "auth/token/full": tokenFields({ username: "tsUserA", password: "Guest@123!" }, {}),
  "auth/token/object": tokenFields(
    { username: "tsUserA", password: "Guest@123!", object_id: revenue.id },
    { object_id: { object_id: sales.id } },
    // The object is not in the other org.
    { org_id: 400 }
  ),
  "groups/search": {
    base: { record_size: -1 },
    honoured: {
      default_liveboard_identifiers: { default_liveboard_identifiers: [sales.id] },
      description: { description: "no such description" },
      display_name: { display_name: "Analysts" },
      name_pattern: { name_pattern: "A%" },
      group_identifier: { group_identifier: "Sales" },
      org_identifiers: { org_identifiers: ["Sales EMEA"] },
      privileges: { privileges: ["ADMINISTRATION"] },
      sub_group_identifiers: { sub_group_identifiers: ["Analysts"] },
      type: { type: "LDAP_GROUP" },
      user_identifiers: { user_identifiers: ["tsViewer"] },
      visibility: { visibility: "NON_SHARABLE" },
      role_identifiers: { role_identifiers: ["Data Viewer"] },
      record_offset: { record_offset: 1 },
      record_size: { record_size: 1 },
      sort_options: sortDesc,
      include_users: { include_users: false },
      include_sub_groups: { include_sub_groups: false }
    }
  },
  "logs/fetch": {
    base: { log_type: "SECURITY_AUDIT" },
    required: ["log_type"],
    honoured: {
      start_epoch_time_in_millis: { start_epoch_time_in_millis: nowMs - 2 * 3_600_000 },
      end_epoch_time_in_millis: { end_epoch_time_in_millis: nowMs - 3_600_000 },
      get_all_logs: { get_all_logs: false }
    }
  },
  "metadata/answer/data": {
    base: { metadata_identifier: fixtures.answers["Order Details"].id },
    required: ["metadata_identifier"],
    honoured: { data_format: { data_format: "FULL" }, ...paging, ...runtime },
    refused: runtimeRefused
  },
  "metadata/liveboard/data": {
    base: { metadata_identifier: sales.id },
    required: ["metadata_identifier"],
    honoured: {
      visualization_identifiers: { visualization_identifiers: [sales.visualizations[0]!.name] },
      data_format: { data_format: "FULL" },
      ...paging,
      runtime_filter: runtime.runtime_filter,
      // A sort names a column every visualization asked for has ("Yearly Orders" has no Revenue).
      runtime_sort: { ...runtime.runtime_sort, visualization_identifiers: [sales.visualizations[1]!.name] }
    },
    refused: { ...runtimeRefused, transient_content: { transient_content: '{"visualizations":[]}' } }
  },
  "metadata/search": {
    base: { record_size: -1 },
    honoured: {
      metadata: { metadata: [{ type: "ANSWER" }] },
      permissions: { permissions: [{ principal: { identifier: "tsViewer" }, share_mode: "READ_ONLY" }] },
      created_by_user_identifiers: { created_by_user_identifiers: ["tsViewer"] },
      modified_by_user_identifiers: { modified_by_user_identifiers: ["tsViewer"] },
      exclude_objects: { exclude_objects: [{ identifier: revenue.id, type: "ANSWER" }] },
      include_details: { include_details: true },
      include_headers: { include_headers: false },
      include_visualization_headers: { include_visualization_headers: true },
      record_offset: { record_offset: 1 },
      record_size: { record_size: 1 },
      sort_options: sortDesc,
      tag_identifiers: { tag_identifiers: ["Certified"] }
    },
    refused: {
      favorite_object_options: { favorite_object_options: { include: true } },
      include_dependent_objects: { include_dependent_objects: true },
      include_stats: { include_stats: true },
      include_only_published_objects: { include_only_published_objects: true }
    },
    // The sandbox has no dependents, auto-created, hidden, incomplete or discoverable-only objects, personalised
    // views, parameters or search-assist lessons, and one liveboard detail shape.
    inert: {
      dependent_object_version: { dependent_object_version: "V2" },
      dependent_objects_record_size: { dependent_objects_record_size: 1 },
      include_auto_created_objects: { include_auto_created_objects: true },
      include_personalised_views: { include_personalised_views: true },
      include_hidden_objects: { include_hidden_objects: true },
      include_incomplete_objects: { include_incomplete_objects: true },
      include_worksheet_search_assist_data: { include_worksheet_search_assist_data: true },
      include_discoverable_objects: { include_discoverable_objects: false },
      show_resolved_parameters: { show_resolved_parameters: true },
      liveboard_response_version: { liveboard_response_version: "V2" }
    }
  },
  "metadata/tml/export": {
    base: { metadata: [{ identifier: revenue.id, type: "ANSWER" }], export_associated: true },
    required: ["metadata"],
    honoured: {
      export_associated: { export_associated: false },
      export_fqn: { export_fqn: true },
      edoc_format: { edoc_format: "YAML" },
      export_schema_version: { export_schema_version: "V2" },
      export_connection_as_dependent: { export_connection_as_dependent: true }
    },
    refused: {
      export_dependent: { export_dependent: true, export_connection_as_dependent: true },
      all_orgs_override: { all_orgs_override: true },
      export_options: { export_options: { include_obj_id: true } }
    }
  },
  "metadata/tml/export/batch": {
    base: { metadata_type: "USER" },
    required: ["metadata_type"],
    honoured: {
      batch_offset: { batch_offset: 1 },
      batch_size: { batch_size: 1 },
      edoc_format: { edoc_format: "YAML" }
    },
    refused: { export_dependent: { export_dependent: true }, all_orgs_override: { all_orgs_override: true } }
  },
  "orgs/search": {
    base: {},
    honoured: {
      org_identifier: { org_identifier: "Sales EMEA" },
      description: { description: "Primary Org" },
      visibility: { visibility: "HIDDEN" },
      status: { status: "IN_ACTIVE" },
      user_identifiers: { user_identifiers: ["emea.lead"] }
    }
  },
  "roles/search": {
    base: {},
    honoured: {
      role_identifiers: { role_identifiers: ["Data Viewer"] },
      org_identifiers: { org_identifiers: ["Sales EMEA"] },
      group_identifiers: { group_identifiers: ["Analysts"] },
      privileges: { privileges: ["ADMINISTRATION"] },
      deprecated: { deprecated: true },
      external: { external: true },
      shared_via_connection: { shared_via_connection: true },
      permissions: { permissions: ["READ_ONLY"] }
    }
  },
  searchdata: {
    base: { query_string: "[Region] [Revenue]", logical_table_identifier: fixtures.ordersTable.id },
    required: ["query_string", "logical_table_identifier"],
    honoured: { data_format: { data_format: "FULL" }, ...paging, ...runtime },
    refused: runtimeRefused
  },
  "security/metadata/fetch-permissions": {
    base: {
      metadata: [
        { identifier: revenue.id, type: "ANSWER" },
        { identifier: sales.id, type: "LIVEBOARD" }
      ]
    },
    required: ["metadata"],
    honoured: {
      principals: { principals: [{ identifier: "tsViewer", type: "USER" }] },
      include_dependent_objects: { include_dependent_objects: true },
      ...paging,
      permission_type: { permission_type: "DEFINED" }
    }
  },
  "tags/search": {
    base: {},
    honoured: {
      tag_identifier: { tag_identifier: "Certified" },
      name_pattern: { name_pattern: "C%" },
      color: { color: "#000000" }
    }
  },
  "users/search": {
    base: { record_size: -1 },
    honoured: {
      user_identifier: { user_identifier: "tsViewer" },
      display_name: { display_name: "no such name" },
      name_pattern: { name_pattern: "tsV%" },
      visibility: { visibility: "NON_SHARABLE" },
      email: { email: "nobody@example.com" },
      group_identifiers: { group_identifiers: ["Analysts"] },
      privileges: { privileges: ["ADMINISTRATION"] },
      account_type: { account_type: "LDAP_USER" },
      account_status: { account_status: "LOCKED" },
      org_identifiers: { org_identifiers: ["Sales EMEA"] },
      record_offset: { record_offset: 1 },
      record_size: { record_size: 1 },
      sort_options: sortDesc,
      role_identifiers: { role_identifiers: ["Data Viewer"] }
    },
    refused: {
      notify_on_share: { notify_on_share: true },
      show_onboarding_experience: { show_onboarding_experience: false },
      onboarding_experience_completed: { onboarding_experience_completed: true },
      home_liveboard_identifier: { home_liveboard_identifier: sales.id },
      favorite_metadata: { favorite_metadata: [{ identifier: revenue.id, type: "ANSWER" }] },
      include_favorite_metadata: { include_favorite_metadata: true },
      include_variable_values: { include_variable_values: true }
    }
  }
}

/** Status and body, without what differs on every call (a new token's text, an error's incident id). */
const answerOf = (r: { status: number; text: string }): string => {
  if (r.status >= 400)
    return `${r.status} ${nestedError(r.text)
      .debug.join(" ")
      .replace(/Incident Id: \S+/, "")}`
  const value = r.text === "" ? null : (JSON.parse(r.text) as unknown)
  if (typeof value === "object" && value !== null && "token" in value)
    return `${r.status} ${JSON.stringify({ ...value, token: "…" })}`
  return `${r.status} ${r.text}`
}

describe("request fields of the official SDK", () => {
  it("reads-the-sdk-request-models", () => {
    // The factory pairs many endpoints with models; if the pattern stopped matching, every check below would pass.
    expect(requestModels.size).toBeGreaterThan(100)
    expect(requestModels.get("metadata/search")).toBe("SearchMetadataRequest")
    expect(modelFields("SearchDataRequest")).toContain("query_string")
    expect(modelRequired("SearchDataRequest")).toEqual(["query_string", "logical_table_identifier"])
  })

  it("every-field-is-classified", () => {
    // Every endpoint's gaps at once, by field name, rather than the first endpoint's.
    const gaps: Record<string, Record<string, ReadonlyArray<string>>> = {}
    for (const [path, probe] of Object.entries(probes)) {
      const model = modelOf(path)
      const fields = modelFields(model)
      const required = probe.required ?? []
      const classified = [
        ...required,
        ...Object.keys(probe.honoured),
        ...Object.keys(probe.refused ?? {}),
        ...Object.keys(probe.inert ?? {})
      ]
      const gap = {
        // A field the SDK sends that no probe checks.
        unprobed: fields.filter((f) => !classified.includes(f)),
        // A probe for a field the SDK does not know.
        unknown: classified.filter((f) => !fields.includes(f)),
        classifiedTwice: classified.filter((f, i) => classified.indexOf(f) !== i),
        // What the SDK declares required is what the sandbox must refuse a request without (checked below).
        requiredBySdkOnly: modelRequired(model).filter((f) => !required.includes(f)),
        requiredByProbeOnly: required.filter((f) => !modelRequired(model).includes(f))
      }
      const found = Object.fromEntries(Object.entries(gap).filter(([, names]) => names.length > 0))
      if (Object.keys(found).length > 0) gaps[`${path} (${model})`] = found
    }
    expect(gaps).toEqual({})
  })

  for (const [path, probe] of Object.entries(probes)) {
    it(`${path}-honours-or-refuses-each-field`, async () => {
      const { call, token } = await sandbox()
      const t = path.startsWith("auth/") ? undefined : await token()
      const post = async (body: Body) => answerOf(await call(path, body, t === undefined ? {} : { token: t }))
      const base = await post(probe.base)
      expect(base, `${path} base`).toMatch(/^200 /)
      for (const field of probe.required ?? []) {
        const { [field]: _left, ...rest } = probe.base
        expect(await post(rest), `${path} without ${field}`).toMatch(/^400 /)
      }
      for (const [field, change] of Object.entries(probe.honoured)) {
        const answer = await post({ ...probe.base, ...change })
        expect(answer, `${path} ${field}`).not.toBe(base)
        // A refusal of the value (a 400 the probe does not expect) is not honouring it.
        expect(answer.slice(0, 4), `${path} ${field}: ${answer.slice(0, 300)}`).toBe(
          `${probe.honouredStatus?.[field] ?? 200} `
        )
        expect(answer, `${path} ${field}`).not.toContain("not supported by the sandbox")
      }
      for (const [field, change] of Object.entries(probe.refused ?? {})) {
        const answer = await post({ ...probe.base, ...change })
        expect(answer, `${path} ${field}`).toMatch(/^400 /)
        expect(answer, `${path} ${field}`).toContain(`${field}`)
        expect(answer, `${path} ${field}`).toContain("is not supported by the sandbox")
      }
      for (const [field, change] of Object.entries(probe.inert ?? {})) {
        expect(await post({ ...probe.base, ...change }), `${path} ${field}`).toBe(base)
      }
    })
  }
})
