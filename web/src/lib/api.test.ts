import { describe, expect, it } from "vitest";
import { ApiError, parseSse } from "./api";
import { splitCitations } from "./citations";

describe("ApiError", () => {
  it("maps a 422's locations to field paths", () => {
    const error = new ApiError(422, {
      detail: [
        { loc: ["body", "slug"], msg: "A slug is 3-63 characters", type: "value_error" },
        { loc: ["body", "configuration", "limits", 0, "rate"], msg: "bad rate", type: "x" },
      ],
    });
    expect(error.fields).toEqual({ slug: "A slug is 3-63 characters", "configuration.limits.0.rate": "bad rate" });
    expect(error.message).toContain("slug: A slug is 3-63 characters");
  });

  it("keeps a sentence detail as its message", () => {
    const error = new ApiError(409, { detail: "The slug 'qa' is taken." });
    expect(error.message).toBe("The slug 'qa' is taken.");
    expect(error.fields).toEqual({});
  });
});

describe("parseSse", () => {
  it("parses whole events and keeps the unfinished rest", () => {
    const { events, rest } = parseSse('event: delta\ndata: {"content": "Hi"}\n\ndata: [DONE]\n\ndata: {"par');
    expect(events).toEqual([
      { event: "delta", data: { content: "Hi" } },
      { event: "done", data: null },
    ]);
    expect(rest).toBe('data: {"par');
  });
});

describe("splitCitations", () => {
  it("turns [n] into citations of real sources only", () => {
    expect(splitCitations("Debris [1] and ice [3].", 2)).toEqual([
      { text: "Debris " },
      { cite: 1 },
      { text: " and ice [3]." },
    ]);
  });
});
