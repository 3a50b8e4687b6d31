import { describe, expect, it } from "vitest";
import { mockFetch } from "../test/fetch";
import { verifyKey } from "./auth";

describe("verifyKey", () => {
  it("names a tenant when the Space serves several", async () => {
    const calls = mockFetch({
      // Refused without a tenant, answered once the tenant is named.
      "GET /api/v1/endpoints": () =>
        calls.length === 1
          ? { status: 400, body: { detail: "The X-Tenant-Name header is required: this Space serves several tenants." } }
          : { body: { items: [], total: 0, skip: 0, limit: 1 } },
      "GET /api/v1/tenants": { body: { items: [{ name: "acme" }, { name: "beta" }], total: 2, skip: 0, limit: 1000 } },
    });
    expect(await verifyKey("k", null)).toEqual({ tenant: "acme", tenants: ["acme", "beta"] });
    expect(calls.map((c) => c.url)).toEqual([
      "/api/v1/endpoints?limit=1",
      "/api/v1/tenants?limit=1000",
      "/api/v1/endpoints?limit=1",
    ]);
  });

  it("refuses a wrong key with the Space's sentence", async () => {
    mockFetch({ "GET /api/v1/endpoints": { status: 401, body: { detail: "Invalid owner key." } } });
    await expect(verifyKey("nope", null)).rejects.toThrow("Invalid owner key.");
  });
});
