import { fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { describe, expect, it } from "vitest";
import { mockFetch } from "../test/fetch";
import { Playground } from "./Playground";

const sse = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;

/** Open the playground of news-qa and ask it a question. */
function ask(question: string) {
  render(
    <MemoryRouter initialEntries={["/endpoints/news-qa/playground"]}>
      <Routes>
        <Route path="/endpoints/:slug/playground" element={<Playground />} />
      </Routes>
    </MemoryRouter>,
  );
  fireEvent.change(screen.getByLabelText("Question"), { target: { value: question } });
  fireEvent.click(screen.getByRole("button", { name: "Ask" }));
}

describe("Playground", () => {
  it("streams the answer and opens the chunk a citation names", async () => {
    sessionStorage.setItem("syft.ownerKey", "owner-key");
    const reference = {
      document_id: "d1",
      content: "EuroSat-7 was destroyed by space debris.",
      metadata: { file_name: "crash.md" },
      similarity_score: 0.91,
    };
    const calls = mockFetch({
      "POST /api/v1/endpoints/news-qa/preview": {
        sse: [
          sse({ references: { documents: [reference], provider_info: {} } }),
          // One event split across two network chunks.
          sse({ summary: { message: { content: "Space debris " } } }).slice(0, 20),
          sse({ summary: { message: { content: "Space debris " } } }).slice(20),
          sse({ summary: { message: { content: "[1]." } } }),
          sse({ summary: { message: { content: "Space debris [1]." } }, cost: 0.5, currency: "USD", policy_metadata: { outcome: "allowed", entries: [] } }),
          "data: [DONE]\n\n",
        ],
      },
    });
    ask("What destroyed it?");
    const cite = await screen.findByRole("button", { name: "Open source 1" });
    expect(screen.getByTestId("answer").textContent).toContain("Space debris [1].");
    expect((await screen.findByTestId("final")).textContent).toContain("allowed");
    expect(calls[0].body).toMatchObject({ messages: "What destroyed it?", stream: true });

    fireEvent.click(cite);
    const dialog = screen.getByRole("dialog", { name: "Source 1" });
    expect(within(dialog).getByText("EuroSat-7 was destroyed by space debris.")).toBeTruthy();
    expect(within(dialog).getByText("score 0.910")).toBeTruthy();
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("shows a refusal before the stream as an error", async () => {
    mockFetch({
      "POST /api/v1/endpoints/news-qa/preview": { status: 403, body: { detail: "Access denied by policy 'access'." } },
    });
    ask("hi");
    expect((await screen.findByRole("alert")).textContent).toContain("Access denied by policy");
  });
});
