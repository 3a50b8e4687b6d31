import { fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { mockFetch } from "../test/fetch";
import { REDACTED } from "../components/SchemaForm";
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

  const network = {
    "GET /api/v1/settings/network": {
      body: { public_url: null, developer_token: null, detected_url: null, reachable: true, reason: "" },
    },
  };

  it("edits a marketplace, keeping the stored token when it is left empty, then tests it", async () => {
    const withPassword = { ...hub, credentials: { access_token: null, username: null, password: REDACTED } };
    const calls = mockFetch({
      ...network,
      "GET /api/v1/marketplaces": { body: { items: [withPassword], total: 1, skip: 0, limit: 1000 } },
      "PATCH /api/v1/marketplaces/m1": { body: withPassword },
      "POST /api/v1/marketplaces/m1/test": { body: { success: true, message: "Connected as alice.", username: "alice" } },
    });
    render(
      <MemoryRouter>
        <Settings />
      </MemoryRouter>,
    );
    const item = await screen.findByRole("article", { name: "Marketplace Hub" });
    fireEvent.click(within(item).getByRole("button", { name: "Edit Hub" }));
    const dialog = screen.getByRole("dialog", { name: "Edit Hub" });
    const password = within(dialog).getByLabelText("Password") as HTMLInputElement;
    expect(password.value).toBe("");
    expect(password.placeholder).toMatch(/Stored; leave empty to keep it/);
    expect((within(dialog).getByLabelText("Access token") as HTMLInputElement).placeholder).toBe("Not set");
    fireEvent.change(within(dialog).getByLabelText(/^Marketplace name/), { target: { value: "SyftHub EU" } });
    fireEvent.click(within(dialog).getByLabelText("Default marketplace"));
    fireEvent.click(within(dialog).getByRole("button", { name: "Save and test" }));
    expect((await within(item).findByRole("status")).textContent).toContain("Connected as alice.");
    expect(screen.queryByRole("dialog")).toBeNull();
    const patch = calls.find((c) => c.method === "PATCH");
    // Only what changed: no credentials at all, so the stored password stays.
    expect(patch?.body).toEqual({ name: "SyftHub EU", is_default: true });
    expect(calls.at(-2)?.method).toBe("POST");
    expect(calls.at(-2)?.url).toBe("/api/v1/marketplaces/m1/test");
  });

  it("sends a new token, clears the password on request, and shows the server's error beside the field", async () => {
    const both = { ...hub, credentials: { access_token: REDACTED, username: "alice", password: REDACTED } };
    let answer = {
      status: 422,
      body: { detail: [{ loc: ["body", "credentials", "access_token"], msg: "Input should be a valid string", type: "string_type" }] },
    };
    const calls = mockFetch({
      ...network,
      "GET /api/v1/marketplaces": { body: { items: [both], total: 1, skip: 0, limit: 1000 } },
      "PATCH /api/v1/marketplaces/m1": () => answer,
      "POST /api/v1/marketplaces/m1/test": { body: { success: false, message: "The hub refused the token.", username: null } },
    });
    render(
      <MemoryRouter>
        <Settings />
      </MemoryRouter>,
    );
    const item = await screen.findByRole("article", { name: "Marketplace Hub" });
    fireEvent.click(within(item).getByRole("button", { name: "Edit Hub" }));
    const dialog = screen.getByRole("dialog", { name: "Edit Hub" });
    const token = within(dialog).getByLabelText("Access token") as HTMLInputElement;
    fireEvent.change(token, { target: { value: "syft_pat_new" } });
    fireEvent.click(within(dialog).getByLabelText("Remove the stored password"));
    expect(within(dialog).queryByLabelText("Password")).toBeNull();
    fireEvent.click(within(dialog).getByRole("button", { name: "Save and test" }));
    const error = await within(dialog).findByText("Input should be a valid string");
    expect(token.getAttribute("aria-invalid")).toBe("true");
    expect((token.getAttribute("aria-describedby") ?? "").split(" ")).toContain(error.id);
    expect(calls.filter((c) => c.url.endsWith("/test"))).toEqual([]);
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({
      credentials: { access_token: "syft_pat_new", password: null },
    });

    answer = { status: 200, body: both } as unknown as typeof answer;
    fireEvent.click(within(dialog).getByRole("button", { name: "Save and test" }));
    expect((await within(item).findByRole("status")).textContent).toContain("The hub refused the token.");
  });
});

