import { describe, expect, it } from "vitest";
import { everyDay } from "./Dashboard";

describe("everyDay", () => {
  it("fills the days without queries with zeros", () => {
    const busy = { start: "2026-11-20T00:00:00Z", queries: 3, successes: 3, denials: 0, rate_limited: 0, errors: 0, cost: 0.5 };
    const days = everyDay([busy], "2026-11-18T10:00:00Z", "2026-11-21T09:00:00Z");
    expect(days.map((d) => [d.start.slice(0, 10), d.queries])).toEqual([
      ["2026-11-18", 0],
      ["2026-11-19", 0],
      ["2026-11-20", 3],
      ["2026-11-21", 0],
    ]);
  });
});
