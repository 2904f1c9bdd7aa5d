/**
 * Column types from `metadata_detail` in the layout ThoughtSpot documents: an answer's table lists its columns
 * without the names its data pages give them; a liveboard's pinned visualizations point at answer visualizations
 * resolved in its header. Types then go by position, where each page column holds its model column's name.
 */
import { describe, expect, it } from "vitest"
import { toMetadataObject } from "../src/cluster/CoreCluster.ts"
import { typesByPosition } from "../src/plan/ColumnPlanner.ts"

const column = (base: string, type: string, aggregation = "NONE", bucket?: string) => ({
  effectiveDataType: type,
  effectiveAggrType: aggregation,
  baseColumnName: base,
  baseDataType: type === "DATE" && bucket !== undefined ? "DATE_TIME" : type,
  ...(bucket === undefined ? {} : { timeBucket: bucket })
})

const sheet = (type: string, visualizations: ReadonlyArray<unknown>) => ({
  reportContent: { sheets: [{ sheetType: type, sheetContent: { sheetContentType: type, visualizations } }] }
})

const answerDetail = sheet("QUESTION", [
  {
    vizContent: { vizType: "HEADLINE", columns: [column("Revenue", "DOUBLE", "SUM")] },
    header: { id: "h", name: "H" }
  },
  {
    vizContent: {
      vizType: "TABLE",
      columns: [
        column("Order Date", "DATE", "NONE", "MONTHLY"),
        column("Region", "VARCHAR"),
        column("Revenue", "DOUBLE", "SUM")
      ]
    },
    header: { id: "t", name: "Table 1" }
  }
])

describe("metadata_detail in ThoughtSpot's documented layout", () => {
  it("gives an answer one visualization, its own id, with its table's columns in order", () => {
    const answer = toMetadataObject({
      metadata_type: "ANSWER",
      metadata_id: "a-1",
      metadata_name: "Sales",
      metadata_detail: answerDetail
    })
    expect(answer.visualizations).toHaveLength(1)
    expect(answer.visualizations[0]).toMatchObject({ id: "a-1", name: "Sales" })
    // Only the column shown as it is goes by a name: its model column's.
    expect(answer.visualizations[0]!.columns.map((c) => [c.name, c.type, c.base?.name])).toEqual([
      [undefined, "DATE", "Order Date"],
      ["Region", "VARCHAR", "Region"],
      [undefined, "DOUBLE", "Revenue"]
    ])
  })

  it("gives a liveboard its pinned visualizations, each with the columns of the answer visualization it shows, and not its filters", () => {
    const liveboard = toMetadataObject({
      metadata_type: "LIVEBOARD",
      metadata_id: "lb-1",
      metadata_name: "Ops",
      metadata_detail: {
        ...sheet("PINBOARD", [
          { vizContent: { vizType: "PINBOARD_VIZ", refVizId: "r-1" }, header: { id: "v-1", name: "By region" } },
          { vizContent: { vizType: "PINBOARD_VIZ", refVizId: "r-missing" }, header: { id: "v-2", name: "Lost" } },
          { vizContent: { vizType: "PINBOARD_VIZ", refVizId: "f-1" }, header: { id: "v-3", name: "Region filter" } }
        ]),
        header: {
          id: "lb-1",
          resolvedObjects: {
            "r-1": sheet("QUESTION", [
              {
                vizContent: { vizType: "TABLE", columns: [column("Quantity", "INT64", "SUM")] },
                header: { id: "x", name: "T" }
              },
              {
                vizContent: { vizType: "CHART", columns: [column("Region", "VARCHAR")] },
                header: { id: "r-1", name: "C" }
              }
            ]),
            // A liveboard filter, pinned as a visualization: no data of its own, so no visualization to export.
            "f-1": sheet("QUESTION", [{ vizContent: { vizType: "FILTER" }, header: { id: "f-1", name: "Filter Viz" } }])
          }
        }
      }
    })
    expect(liveboard.visualizations.map((v) => [v.id, v.name, v.columns.map((c) => c.base?.name)])).toEqual([
      ["v-1", "By region", ["Region"]],
      ["v-2", "Lost", []]
    ])
  })

  it("types a page by position when each column holds the model column's name listed there, else by name only", () => {
    const [viz] = toMetadataObject({
      metadata_type: "ANSWER",
      metadata_id: "a",
      metadata_name: "A",
      metadata_detail: answerDetail
    }).visualizations
    const typesOf = typesByPosition(viz!.columns)
    expect(typesOf(["Month(Order Date)", "Region", "Total Revenue"])).toEqual(["DATE", "VARCHAR", "DOUBLE"])
    // Renamed in the answer: no position can be trusted; the column shown as it is keeps its type by name.
    expect(typesOf(["Month(Order Date)", "Region", "Sales $"])).toEqual([null, "VARCHAR", null])
    // Another number of columns: by name only.
    expect(typesOf(["Region", "Total Revenue"])).toEqual(["VARCHAR", null])
  })

  it("types by position where the description says no bucket (the documented examples show no bucket field)", () => {
    const detail = sheet("QUESTION", [
      {
        vizContent: { vizType: "TABLE", columns: [column("Order Date", "DATE"), column("Revenue", "DOUBLE", "SUM")] },
        header: { id: "t", name: "Table 1" }
      }
    ])
    const [viz] = toMetadataObject({
      metadata_type: "ANSWER",
      metadata_id: "a",
      metadata_name: "A",
      metadata_detail: detail
    }).visualizations
    expect(typesByPosition(viz!.columns)(["Month(Order Date)", "Total Revenue"])).toEqual(["DATE", "DOUBLE"])
  })
})
