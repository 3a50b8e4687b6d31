import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { JsonSchema } from "../lib/types";
import { mockFetch } from "../test/fetch";
import { ConfigurationEditDialog } from "./ConfigurationEditDialog";
import { REDACTED, configurationPatch } from "./SchemaForm";

// The openai model type's schema, trimmed, as /models/types serves it.
const schema: JsonSchema = {
  properties: {
    base_url: { default: "https://api.openai.com/v1", format: "uri", title: "Base Url", type: "string" },
    model: { title: "Model", type: "string", minLength: 1 },
    organization: { anyOf: [{ type: "string" }, { type: "null" }], default: null, title: "Organization" },
    temperature: { anyOf: [{ type: "number" }, { type: "null" }], default: null, title: "Temperature" },
    api_key: { anyOf: [{ format: "password", type: "string", writeOnly: true }, { type: "null" }], default: null, title: "Api Key" },
  },
  required: ["model"],
  type: "object",
};
const types = [{ name: "openai", title: "OpenAI-compatible", description: "", secret_fields: ["api_key"], configuration_schema: schema }];
const gpt = {
  name: "gpt",
  summary: "The team's model.",
  tags: ["llm"],
  configuration: { base_url: "http://llm.local/v1", model: "m", organization: "acme", temperature: null, api_key: REDACTED },
};

function open(onSaved = vi.fn()) {
  render(
    <ConfigurationEditDialog
      collection="models"
      kind="model"
      typeName="openai"
      resource={gpt}
      onClose={() => undefined}
      onSaved={onSaved}
    />,
  );
  return { dialog: screen.getByRole("dialog", { name: "Edit model gpt" }), onSaved };
}

describe("ConfigurationEditDialog", () => {
  it("prefills the type's form and keeps the stored secret when it is left alone", async () => {
    const calls = mockFetch({
      "GET /api/v1/models/types": { body: types },
      "PATCH /api/v1/models/gpt": { body: gpt },
    });
    const { dialog, onSaved } = open();
    const model = (await within(dialog).findByLabelText(/^Model/)) as HTMLInputElement;
    expect(model.value).toBe("m");
    expect((within(dialog).getByLabelText("Base Url") as HTMLInputElement).value).toBe("http://llm.local/v1");
    expect((within(dialog).getByLabelText("Tags") as HTMLInputElement).value).toBe("llm");
    const key = within(dialog).getByLabelText("Api Key") as HTMLInputElement;
    expect(key.value).toBe("");
    expect(key.placeholder).toMatch(/Stored; leave empty to keep it/);

    fireEvent.change(model, { target: { value: "m2" } });
    fireEvent.change(within(dialog).getByLabelText("Organization"), { target: { value: "" } });
    fireEvent.change(within(dialog).getByLabelText("Summary"), { target: { value: "Faster." } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalledWith("gpt"));
    const patch = calls.find((c) => c.method === "PATCH");
    // Only what changed; no api_key, so the Space keeps the stored one; the emptied field is
    // sent as its default so the merge does not keep the old value.
    expect(patch?.body).toEqual({ summary: "Faster.", configuration: { model: "m2", organization: null } });
  });

  it("sends a new secret, or null when the stored one is removed", async () => {
    const calls = mockFetch({
      "GET /api/v1/models/types": { body: types },
      "PATCH /api/v1/models/gpt": { body: gpt },
    });
    const { dialog, onSaved } = open();
    const key = (await within(dialog).findByLabelText("Api Key")) as HTMLInputElement;
    fireEvent.change(key, { target: { value: "sk-new" } });
    fireEvent.change(key, { target: { value: "" } });
    expect(key.placeholder).toMatch(/leave empty to keep it/);
    fireEvent.click(within(dialog).getByLabelText("Remove the stored api key"));
    expect(key.disabled).toBe(true);
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ configuration: { api_key: null } });
  });

  it("shows the server's validation errors beside the fields and stays open", async () => {
    mockFetch({
      "GET /api/v1/models/types": { body: types },
      "PATCH /api/v1/models/gpt": {
        status: 422,
        body: {
          detail: [
            { loc: ["body", "configuration", "model"], msg: "String should have at least 1 character", type: "string_too_short" },
            { loc: ["body", "name"], msg: "String should match pattern", type: "string_pattern_mismatch" },
          ],
        },
      },
    });
    const { dialog, onSaved } = open();
    const model = await within(dialog).findByLabelText(/^Model/);
    fireEvent.change(within(dialog).getByLabelText(/^Name/), { target: { value: "bad name" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    const error = await within(dialog).findByText("String should have at least 1 character");
    expect(model.getAttribute("aria-invalid")).toBe("true");
    expect((model.getAttribute("aria-describedby") ?? "").split(" ")).toContain(error.id);
    expect(within(dialog).getByLabelText(/^Name/).getAttribute("aria-invalid")).toBe("true");
    expect(onSaved).not.toHaveBeenCalled();
  });
});

describe("configurationPatch", () => {
  it("keeps what did not change out of the PATCH", () => {
    const original = { model: "m", api_key: REDACTED, organization: "acme", temperature: 0.5 };
    expect(configurationPatch(schema, original, { ...original })).toEqual({});
    expect(configurationPatch(schema, original, { model: "m", organization: "acme" })).toEqual({ temperature: null });
    expect(configurationPatch(schema, { base_url: "http://x" }, {})).toEqual({ base_url: "https://api.openai.com/v1" });
  });
});
