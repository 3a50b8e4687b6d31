import { fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { mockFetch } from "../test/fetch";
import { PublishDialog } from "./PublishDialog";

const hubs = [
  { id: "m1", name: "SyftHub", url: "https://hub.example", status: "active", is_default: true, credentials: {} },
  { id: "m2", name: "Other", url: "https://other.example", status: "error", is_default: false, credentials: {} },
];

describe("PublishDialog", () => {
  it("checks availability and shows each marketplace's result", async () => {
    const calls = mockFetch({
      "GET /api/v1/marketplaces": { body: { items: hubs, total: 2, skip: 0, limit: 1000 } },
      "POST /api/v1/endpoints/qa/check-availability": {
        body: {
          endpoint_slug: "qa",
          local: { ready: true, problems: [] },
          marketplaces: [
            { marketplace_id: "m1", marketplace_name: "SyftHub", available: true, error: null },
            { marketplace_id: "m2", marketplace_name: "Other", available: false, error: null },
          ],
        },
      },
      "POST /api/v1/endpoints/qa/publish": {
        body: {
          endpoint_slug: "qa",
          results: [
            { marketplace_id: "m1", marketplace_name: "SyftHub", success: true, message: "Successfully published endpoint", error: null },
          ],
        },
      },
    });
    const published = vi.fn();
    render(
      <MemoryRouter>
        <PublishDialog slug="qa" onClose={() => undefined} onPublished={published} />
      </MemoryRouter>,
    );
    await screen.findByRole("checkbox", { name: /SyftHub/ });
    fireEvent.click(screen.getByRole("button", { name: "Check Availability" }));
    const availability = await screen.findByRole("status", { name: "Availability" });
    expect(within(availability).getByText("slug available")).toBeTruthy();
    expect(within(availability).getByText("slug taken")).toBeTruthy();

    // Choose one marketplace rather than all.
    fireEvent.click(screen.getByLabelText("All marketplaces"));
    fireEvent.click(screen.getByRole("checkbox", { name: /SyftHub/ }));
    fireEvent.click(screen.getByRole("button", { name: "Publish" }));
    const results = await screen.findByRole("list", { name: "Publish results" });
    expect(results.textContent).toContain("Successfully published endpoint");
    expect(published).toHaveBeenCalled();
    expect(calls.find((c) => c.url.endsWith("/publish"))?.body).toEqual({
      marketplace_ids: ["m1"],
      publish_to_all_marketplaces: false,
    });
  });

  it("says what to do when no marketplace is connected", async () => {
    mockFetch({ "GET /api/v1/marketplaces": { body: { items: [], total: 0, skip: 0, limit: 1000 } } });
    render(
      <MemoryRouter>
        <PublishDialog slug="qa" onClose={() => undefined} onPublished={() => undefined} />
      </MemoryRouter>,
    );
    expect(await screen.findByText("No marketplace connected")).toBeTruthy();
    expect(screen.getByRole("link", { name: /Settings/ }).getAttribute("href")).toBe("/settings");
  });
});
