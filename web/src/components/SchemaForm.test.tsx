import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import type { JsonSchema } from "../lib/types";
import { REDACTED, SchemaForm, defaultsFor } from "./SchemaForm";

// The Space's rate_limit policy schema, as /policies/types serves it.
const rateLimit: JsonSchema = {
  $defs: {
    RateRule: {
      additionalProperties: false,
      properties: {
        rate: { description: "Requests per window.", examples: ["10/m"], title: "Rate", type: "string" },
        scope: { default: "user", enum: ["user", "global"], title: "Scope", type: "string" },
      },
      required: ["rate"],
      title: "RateRule",
      type: "object",
    },
  },
  properties: { limits: { items: { $ref: "#/$defs/RateRule" }, maxItems: 10, minItems: 1, title: "Limits", type: "array" } },
  required: ["limits"],
  type: "object",
};

const model: JsonSchema = {
  properties: {
    base_url: { default: "https://api.openai.com/v1", format: "uri", title: "Base Url", type: "string" },
    model: { title: "Model", type: "string", minLength: 1 },
    max_tokens: { anyOf: [{ type: "integer", minimum: 1 }, { type: "null" }], default: null, title: "Max Tokens" },
    stream_usage: { type: "boolean", default: true, title: "Stream Usage" },
    api_key: { anyOf: [{ format: "password", type: "string", writeOnly: true }, { type: "null" }], default: null, title: "Api Key" },
    stop_sequences: { items: { type: "string" }, title: "Stop Sequences", type: "array" },
  },
  required: ["model"],
  type: "object",
};

function Harness({ schema, initial, errors, editing }: { schema: JsonSchema; initial?: Record<string, unknown>; errors?: Record<string, string>; editing?: boolean }) {
  const [value, setValue] = useState(initial ?? defaultsFor(schema));
  return (
    <>
      <SchemaForm schema={schema} value={value} onChange={setValue} errors={errors} path="configuration" editing={editing} />
      <output data-testid="value">{JSON.stringify(value)}</output>
    </>
  );
}

const value = () => JSON.parse(screen.getByTestId("value").textContent ?? "{}");

describe("SchemaForm", () => {
  it("starts a policy with a helpful default rule from the schema's examples", () => {
    expect(defaultsFor(rateLimit)).toEqual({ limits: [{ rate: "10/m", scope: "user" }] });
    render(<Harness schema={rateLimit} />);
    expect((screen.getByLabelText(/^Rate/) as HTMLInputElement).value).toBe("10/m");
    expect((screen.getByLabelText("Scope") as HTMLSelectElement).value).toBe("user");
  });

  it("adds and removes items of an array of objects", () => {
    render(<Harness schema={rateLimit} />);
    fireEvent.click(screen.getByRole("button", { name: "Add limits" }));
    expect(value().limits).toHaveLength(2);
    fireEvent.change(screen.getAllByLabelText(/^Rate/)[1], { target: { value: "5/s" } });
    fireEvent.change(screen.getAllByLabelText("Scope")[1], { target: { value: "global" } });
    expect(value().limits[1]).toEqual({ rate: "5/s", scope: "global" });
    fireEvent.click(screen.getByRole("button", { name: "Remove Limits 1" }));
    expect(value().limits).toEqual([{ rate: "5/s", scope: "global" }]);
  });

  it("renders each JSON type as the matching control", () => {
    render(<Harness schema={model} />);
    expect((screen.getByLabelText("Base Url") as HTMLInputElement).type).toBe("url");
    expect((screen.getByLabelText("Api Key") as HTMLInputElement).type).toBe("password");
    expect((screen.getByLabelText("Max Tokens") as HTMLInputElement).type).toBe("number");
    expect((screen.getByLabelText("Stream Usage") as HTMLInputElement).checked).toBe(true);
    fireEvent.change(screen.getByLabelText("Max Tokens"), { target: { value: "42" } });
    fireEvent.change(screen.getByLabelText(/^Model/), { target: { value: "gpt-4o" } });
    fireEvent.change(screen.getByLabelText(/Stop Sequences/), { target: { value: "END\nSTOP" } });
    expect(value()).toMatchObject({ max_tokens: 42, model: "gpt-4o", stop_sequences: ["END", "STOP"] });
    fireEvent.change(screen.getByLabelText("Max Tokens"), { target: { value: "" } });
    expect(value()).not.toHaveProperty("max_tokens");
  });

  it("shows the server's errors beside their fields", () => {
    render(
      <Harness
        schema={rateLimit}
        errors={{ "configuration.limits.0.rate": "String should match pattern" }}
      />,
    );
    const rate = screen.getByLabelText(/^Rate/);
    expect(rate.getAttribute("aria-invalid")).toBe("true");
    const described = rate.getAttribute("aria-describedby") ?? "";
    const error = screen.getByRole("alert");
    expect(error.textContent).toBe("String should match pattern");
    expect(described.split(" ")).toContain(error.id);
  });

  it("keeps a stored secret unless a new one is typed", () => {
    render(<Harness schema={model} initial={{ model: "m", api_key: REDACTED }} editing />);
    const key = screen.getByLabelText("Api Key") as HTMLInputElement;
    expect(key.value).toBe("");
    expect(key.placeholder).toMatch(/leave empty to keep/);
    fireEvent.change(key, { target: { value: "sk-new" } });
    expect(value().api_key).toBe("sk-new");
    fireEvent.change(key, { target: { value: "" } });
    // Left out of the PATCH, so the Space keeps the stored key.
    expect(value()).not.toHaveProperty("api_key");
    expect(key.placeholder).toMatch(/leave empty to keep/);
  });

  it("builds a form for a type it has never seen", () => {
    const plugin: JsonSchema = {
      properties: {
        region: { enum: ["eu", "us"], title: "Region", type: "string", description: "Where data stays." },
        shards: { type: "integer", default: 3, title: "Shards" },
        nested: { type: "object", title: "Retry", properties: { attempts: { type: "integer", default: 2 } } },
      },
      required: ["region"],
      type: "object",
    };
    render(<Harness schema={plugin} />);
    expect(screen.getByLabelText("Region")).toBeTruthy();
    expect(screen.getByText("Where data stays.")).toBeTruthy();
    expect((screen.getByLabelText("Shards") as HTMLInputElement).value).toBe("3");
    expect(screen.getByRole("group", { name: "Retry" })).toBeTruthy();
    expect(value()).toEqual({ shards: 3, nested: { attempts: 2 } });
  });
});
