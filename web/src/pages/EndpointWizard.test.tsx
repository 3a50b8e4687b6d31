import { fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { mockFetch } from "../test/fetch";
import { EndpointWizard, slugify } from "./EndpointWizard";

const page = (items: unknown[]) => ({ body: { items, total: items.length, skip: 0, limit: 1000 } });

describe("EndpointWizard", () => {
  it("walks the steps and shows the server's slug error beside the slug", async () => {
    const calls = mockFetch({
      "GET /api/v1/datasets": page([{ id: "1", name: "news", configuration: {} }]),
      "GET /api/v1/models": page([]),
      "POST /api/v1/endpoints": {
        status: 422,
        body: { detail: [{ loc: ["body", "slug"], msg: "A slug is 3-63 characters.", type: "value_error" }] },
      },
    });
    render(
      <MemoryRouter>
        <EndpointWizard />
      </MemoryRouter>,
    );
    fireEvent.click(screen.getByLabelText("Sources only"));
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    fireEvent.change(await screen.findByLabelText("Dataset"), { target: { value: "news" } });
    // The model step is skipped for "Sources only".
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: "Q" } });
    expect((screen.getByLabelText(/^Slug/) as HTMLInputElement).value).toBe("q");
    fireEvent.click(screen.getByRole("button", { name: "Create endpoint" }));
    const slug = screen.getByLabelText(/^Slug/);
    expect((await screen.findAllByText("A slug is 3-63 characters.")).length).toBeGreaterThan(0);
    expect(slug.getAttribute("aria-invalid")).toBe("true");
    const post = calls.find((c) => c.method === "POST");
    expect(post?.body).toMatchObject({ name: "Q", slug: "q", response_type: "raw", dataset: "news", model: null });
  });

  it("slugifies names", () => {
    expect(slugify("  Research Q&A — 2024 ")).toBe("research-q-a-2024");
  });
});
