/**
 * Contract test: the official ThoughtSpot TypeScript SDK (@thoughtspot/rest-api-sdk 2.24.0), a client nobody
 * here wrote, against the sandbox. Required fields are read from the SDK's own model sources (a property
 * declared without `?`), so the check follows the SDK rather than a list kept by hand.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import {
  AnswerContent,
  AnswerDataResponse,
  createBasicConfig,
  createBearerAuthenticationConfig,
  LiveboardContent,
  LiveboardDataResponse,
  MetadataSearchResponse,
  SearchDataResponse,
  ThoughtSpotRestApi,
  Token
} from "@thoughtspot/rest-api-sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

// The package's exports hide package.json; its main entry sits in dist/, one level below the root.
const sdkRoot = dirname(dirname(createRequire(import.meta.url).resolve("@thoughtspot/rest-api-sdk")))

/** Properties a model declares as required (`'name': type;` rather than `'name'?: type;`). */
const requiredFields = (model: string): Array<string> => {
  const source = readFileSync(join(sdkRoot, "models", `${model}.ts`), "utf8")
  return [...source.matchAll(/^\s+'([a-z_]+)': /gm)].map((m) => m[1]!)
}

const expectRequired = (value: object, model: string) => {
  const required = requiredFields(model)
  expect(required.length).toBeGreaterThan(0)
  for (const field of required) {
    expect(value, `${model}.${field}`).toHaveProperty(field)
    expect((value as Record<string, unknown>)[field], `${model}.${field}`).not.toBeUndefined()
  }
}

let sandbox: RunningSandbox
let api: ThoughtSpotRestApi

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 2_345, seed: 3 })
  api = new ThoughtSpotRestApi(
    createBearerAuthenticationConfig(sandbox.url, {
      username: fixtures.user.username,
      password: fixtures.user.password
    })
  )
})
afterAll(() => sandbox.close())

describe("official SDK against the sandbox", () => {
  it("authenticates-with-a-full-token", async () => {
    const basic = new ThoughtSpotRestApi(createBasicConfig(sandbox.url))
    const token = await basic.getFullAccessToken({
      username: fixtures.user.username,
      password: fixtures.user.password,
      validity_time_in_sec: 600
    })
    expect(token).toBeInstanceOf(Token)
    expectRequired(token, "Token")
    expectRequired(token.scope, "Scope")
    expect(token.expiration_time_in_millis - token.creation_time_in_millis).toBe(600_000)
    const validated = await api.validateToken({ token: token.token })
    expectRequired(validated, "TokenValidationResponse")
    const user = await api.getCurrentUserInfo()
    expectRequired(user, "User")
    expect(user.name).toBe("tsUserA")
    const system = await api.getSystemInformation()
    expect(system.time_zone).toBe("America/Los_Angeles")
  })

  it("gets-an-object-token", async () => {
    const basic = new ThoughtSpotRestApi(createBasicConfig(sandbox.url))
    const answer = fixtures.answers["Revenue by Month"]!
    const token = await basic.getObjectAccessToken({
      username: fixtures.user.username,
      password: fixtures.user.password,
      object_id: answer.id
    })
    expectRequired(token, "Token")
    expect(token.scope.metadata_id).toBe(answer.id)
  })

  it("searches-metadata-with-details", async () => {
    const found = await api.searchMetadata({
      metadata: [{ type: "LOGICAL_TABLE" }, { type: "ANSWER" }, { type: "LIVEBOARD" }],
      include_details: true,
      record_size: -1
    })
    expect(found.length).toBe(1 + Object.keys(fixtures.answers).length + Object.keys(fixtures.liveboards).length)
    for (const item of found) {
      expect(item).toBeInstanceOf(MetadataSearchResponse)
      expectRequired(item, "MetadataSearchResponse")
      expect(item.metadata_header.id).toBe(item.metadata_id)
    }
    const table = found.find((f) => f.metadata_type === "LOGICAL_TABLE")!
    expect(table.metadata_detail.columns.map((c: { dataType: string }) => c.dataType)).toEqual(
      fixtures.ordersTable.columns.map((c) => c.dataType)
    )
    const page = await api.searchMetadata({ record_offset: 2, record_size: 3 })
    expect(page).toHaveLength(3)
  })

  it("pages-through-an-answer", async () => {
    const answer = fixtures.answers["Order Details"]!
    let seen = 0
    for (let offset = 0; ; offset += 1000) {
      const res = await api.fetchAnswerData({
        metadata_identifier: answer.id,
        record_offset: offset,
        record_size: 1000
      })
      expect(res).toBeInstanceOf(AnswerDataResponse)
      expectRequired(res, "AnswerDataResponse")
      const content = res.contents[0]!
      expect(content).toBeInstanceOf(AnswerContent)
      expectRequired(content, "AnswerContent")
      expect(content.available_data_row_count).toBe(2_345)
      expect(content.column_names).toEqual(answer.visualizations[0]!.columns.map((c) => c.name))
      seen += content.returned_data_row_count
      if (content.returned_data_row_count < 1000) break
    }
    expect(seen).toBe(2_345)
  })

  it("pages-liveboard-visualizations-independently", async () => {
    const lb = fixtures.liveboards["Sales Overview"]!
    const res = await api.fetchLiveboardData({ metadata_identifier: lb.id, record_size: 5, data_format: "FULL" })
    expect(res).toBeInstanceOf(LiveboardDataResponse)
    expectRequired(res, "LiveboardDataResponse")
    expect(res.contents.map((c) => c.visualization_name)).toEqual(lb.visualizations.map((v) => v.name))
    for (const c of res.contents) {
      expect(c).toBeInstanceOf(LiveboardContent)
      expectRequired(c, "LiveboardContent")
      expect(c.returned_data_row_count).toBe(Math.min(5, c.available_data_row_count))
      expect(typeof c.data_rows[0]).toBe("object")
    }
    const second = await api.fetchLiveboardData({
      metadata_identifier: lb.id,
      visualization_identifiers: [lb.visualizations[0]!.id],
      record_offset: 5,
      record_size: 5
    })
    expect(second.contents).toHaveLength(1)
    expect(second.contents[0]!.record_offset).toBe(5)
  })

  it("pages-search-data", async () => {
    const rows: Array<Array<unknown>> = []
    for (let offset = 0; ; offset += 40) {
      const res = await api.searchData({
        query_string: "[Order Date].monthly [Region] [Revenue]",
        logical_table_identifier: fixtures.ordersTable.id,
        record_offset: offset,
        record_size: 40
      })
      expect(res).toBeInstanceOf(SearchDataResponse)
      expectRequired(res, "SearchDataResponse")
      const content = res.contents[0]!
      expectRequired(content, "AnswerContent")
      expect(content.column_names).toEqual(["Month(Order Date)", "Region", "Total Revenue"])
      rows.push(...content.data_rows)
      if (content.returned_data_row_count < 40) {
        expect(rows).toHaveLength(content.available_data_row_count)
        break
      }
    }
  })

  it("surfaces-sandbox-errors-as-sdk-exceptions", async () => {
    await expect(api.fetchAnswerData({ metadata_identifier: "no such answer" })).rejects.toMatchObject({ code: 400 })
    const basic = new ThoughtSpotRestApi(createBasicConfig(sandbox.url))
    await expect(basic.getFullAccessToken({ username: "tsUserA", password: "wrong" })).rejects.toMatchObject({
      code: 401
    })
  })

  it("logs-in-with-a-session-and-logs-out", async () => {
    const basic = new ThoughtSpotRestApi(createBasicConfig(sandbox.url))
    await expect(basic.login({ username: "tsUserA", password: "Guest@123!" })).resolves.toBeUndefined()
  })
})
