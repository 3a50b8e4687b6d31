import { fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { mockFetch } from "../test/fetch";
import { Settings } from "./Settings";

const hub = {
  id: "m1",
  name: "Hub",
  url: "https://hub.example",
  issuer: null,
  hub_username: "alice",
  is_default: false,
  status: "active",
  last_error: null,
  last_error_at: null,
  credentials: { access_token: "**********" },
  published_endpoints: ["qa"],
  heartbeat: { last_ok_at: null, failures: 0, last_error: null, next_at: null },
  created_at: "2026-11-22T10:00:00Z",
};

describe("Settings", () => {
  it("asks again before removing a marketplace that still lists endpoints", async () => {
    const calls = mockFetch({
      "GET /api/v1/settings/network": {
        body: { public_url: null, developer_token: null, detected_url: null, reachable: false, reason: "Listening on 127.0.0.1 only." },
      },
      "GET /api/v1/marketplaces": { body: { items: [hub], total: 1, skip: 0, limit: 1000 } },
      "DELETE /api/v1/marketplaces/m1?force=true": { body: { detail: "Removed." } },
      "DELETE /api/v1/marketplaces/m1": { status: 409, body: { detail: "Endpoint 'qa' is still published on Hub." } },
    });
    render(
      <MemoryRouter>
        <Settings />
      </MemoryRouter>,
    );
    expect(await screen.findByText(/Listening on 127.0.0.1 only\./)).toBeTruthy();
    const item = await screen.findByRole("article", { name: "Marketplace Hub" });
    expect(item.textContent).toContain("1 endpoint published (qa)");

    fireEvent.click(within(item).getByRole("button", { name: "Remove Hub" }));
    const dialog = screen.getByRole("dialog", { name: "Remove Hub?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Remove" }));
    expect((await within(dialog).findByRole("alert")).textContent).toContain("still published");
    fireEvent.click(within(dialog).getByRole("button", { name: "Remove anyway" }));
    await screen.findByRole("article", { name: "Marketplace Hub" });
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.url)).toEqual([
      "/api/v1/marketplaces/m1",
      "/api/v1/marketplaces/m1?force=true",
    ]);
  });

  it("shows the server's error beside the public URL", async () => {
    mockFetch({
      "GET /api/v1/settings/network": {
        body: { public_url: null, developer_token: null, detected_url: null, reachable: false, reason: "" },
      },
      "GET /api/v1/marketplaces": { body: { items: [], total: 0, skip: 0, limit: 1000 } },
      "PATCH /api/v1/settings/network": {
        status: 422,
        body: { detail: [{ loc: ["body", "public_url"], msg: "must be an http:// or https:// URL", type: "value_error" }] },
      },
    });
    render(
      <MemoryRouter>
        <Settings />
      </MemoryRouter>,
    );
    const url = await screen.findByLabelText("Public URL");
    fireEvent.change(url, { target: { value: "ftp://x" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText("must be an http:// or https:// URL");
    expect(url.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("No marketplace connected")).toBeTruthy();
  });
});
