// End-to-end walk through the console in headless Debian Chromium, against a real Space.
// Driven by tests/web/test_console_e2e.py, which starts the Space, an LLM double and a hub
// double, and passes them here through the environment:
//   SPACE_URL, OWNER_KEY, LLM_URL, HUB_URL, HUB_USERNAME, HUB_TOKEN, ARTIFACTS (a folder)
// Prints one JSON line {"ok": true, "screenshots": [...], "steps": [...]} and exits 0, or
// {"ok": false, "error": ..., "step": ...} with a screenshot of the failure and exits 1.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const SPACE = env("SPACE_URL");
const ARTIFACTS = env("ARTIFACTS");
mkdirSync(ARTIFACTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
  ],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.setDefaultTimeout(30_000);
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));

const steps = [];
const screenshots = [];
let current = "start";

async function shot(name) {
  const path = join(ARTIFACTS, `${String(screenshots.length + 1).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  screenshots.push(path);
}

/** Every input, select and textarea has a label; every button has a name. */
async function checkLabels() {
  const unlabelled = await page.evaluate(() => {
    const missing = [];
    for (const el of document.querySelectorAll("input, select, textarea")) {
      const named = el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
      if (!named) missing.push(el.outerHTML.slice(0, 120));
    }
    for (const el of document.querySelectorAll("button, a[href]")) {
      if (!(el.textContent?.trim() || el.getAttribute("aria-label"))) missing.push(el.outerHTML.slice(0, 120));
    }
    return missing;
  });
  if (unlabelled.length) throw new Error(`unlabelled controls on ${page.url()}: ${unlabelled.join(" | ")}`);
}

async function step(name, body) {
  current = name;
  await body();
  await checkLabels();
  steps.push(name);
}

const heading = (name) => page.getByRole("heading", { level: 1, name });

try {
  await step("sign in", async () => {
    await page.goto(SPACE + "/");
    await heading("Sign in to Syft Space").waitFor();
    // Keyboard only: the key field and the button are reachable with Tab.
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.getAttribute("type"));
    if (focused !== "password") throw new Error(`Tab did not reach the key field (${focused})`);
    await page.keyboard.type("wrong-key");
    await page.keyboard.press("Enter");
    await page.getByRole("alert").waitFor();
    await shot("signin-refused");
    await page.getByLabel("Owner key").fill(env("OWNER_KEY"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading("Dashboard").waitFor();
    await page.getByText("Start here").waitFor();
    await shot("dashboard-empty");
  });

  await step("create a dataset", async () => {
    await page.getByRole("link", { name: "Datasets" }).click();
    await page.getByText("No datasets yet").waitFor();
    await shot("datasets-empty");
    await page.getByRole("button", { name: "New dataset" }).click();
    const dialog = page.getByRole("dialog", { name: "New dataset" });
    await dialog.getByLabel("Name", { exact: false }).first().fill("bad name");
    await dialog.getByRole("button", { name: "Create" }).click();
    // The server's validation error appears beside the field.
    await dialog.locator(".field-error").first().waitFor();
    await shot("dataset-create-error");
    await dialog.getByLabel("Name", { exact: false }).first().fill("news");
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { name: "Dataset news" }).waitFor();
  });

  await step("upload and ingest", async () => {
    await page.getByLabel("Choose files").setInputFiles([
      {
        name: "crash.md",
        mimeType: "text/markdown",
        buffer: Buffer.from("# Crash\n\nEuroSat-7 was destroyed by space debris in orbit.\n"),
      },
      { name: "broken.pdf", mimeType: "application/pdf", buffer: Buffer.from("not a pdf at all") },
    ]);
    await page.getByText("uploaded, queued for ingestion").nth(1).waitFor();
    await page.getByText(/Ingestion complete: 1 of 2 files, \d+ chunks?, 1 failed/).waitFor({ timeout: 120_000 });
    // The failed file says why, and can be tried again.
    const failed = page.locator(".failed-jobs");
    await failed.getByText("broken.pdf", { exact: true }).waitFor();
    const reason = await failed.locator(".field-error").first().textContent();
    if (!reason?.trim()) throw new Error("the failed job shows no reason");
    const retried = page.waitForResponse((r) => r.url().includes("/retry") && r.status() === 200);
    await failed.getByRole("button", { name: "Retry broken.pdf" }).click();
    await retried;
    await page.getByText(/Ingestion complete: 1 of 2 files, \d+ chunks?, 1 failed/).waitFor({ timeout: 120_000 });
    await page.getByRole("cell", { name: "crash.md", exact: true }).waitFor();
    await page.getByLabel("Query").fill("what destroyed the satellite");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByRole("article", { name: /Source 1: crash\.md/ }).waitFor();
    await shot("dataset-detail");
  });

  await step("edit a dataset", async () => {
    await page.getByRole("button", { name: "Edit dataset" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit dataset news" });
    await dialog.getByRole("group", { name: /configuration$/ }).waitFor();
    await dialog.getByLabel("Summary").fill("Satellite news.");
    await dialog.getByLabel("Tags").fill("space, news");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText(/Satellite news\. · space, news/).waitFor();
  });

  await step("connect a model", async () => {
    await page.getByRole("link", { name: "Models" }).click();
    await page.getByText("No models yet").waitFor();
    await page.getByRole("button", { name: "New model" }).click();
    const dialog = page.getByRole("dialog", { name: "New model" });
    await dialog.getByLabel("Type", { exact: true }).selectOption("openai");
    await dialog.getByLabel(/^Name/).fill("gpt");
    await dialog.getByLabel("Base Url").fill(env("LLM_URL"));
    await dialog.getByLabel("Api Key").fill("sk-test");
    await dialog.getByRole("button", { name: "List the provider's models" }).click();
    await dialog.getByLabel("Provider's models").selectOption("m");
    await shot("model-create");
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { name: "Model gpt" }).waitFor();
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByRole("status").filter({ hasText: "healthy" }).waitFor();
    await page.getByLabel("Message").fill("Say hello");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator(".answer").filter({ hasText: "space debris" }).waitFor();
    await shot("model-detail");
    await page.getByRole("link", { name: "Models" }).click();
    await page.getByRole("link", { name: "gpt" }).waitFor();
    await shot("models");
  });

  await step("edit a model's configuration", async () => {
    await page.getByRole("link", { name: "gpt" }).click();
    await page.getByRole("heading", { name: "Model gpt" }).waitFor();
    await page.getByRole("button", { name: "Edit model" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit model gpt" });
    // Prefilled with what the Space stores; the key is stored, not shown.
    const model = dialog.getByLabel(/^Model/);
    if ((await model.inputValue()) !== "m") throw new Error("the model field is not prefilled");
    const key = dialog.getByLabel("Api Key", { exact: true });
    if ((await key.inputValue()) !== "") throw new Error("the stored key is shown");
    if (!/leave empty to keep/.test((await key.getAttribute("placeholder")) ?? "")) {
      throw new Error("the stored key is not marked as kept");
    }
    await dialog.getByLabel("Temperature", { exact: true }).fill("5");
    await dialog.getByRole("button", { name: "Save" }).click();
    // The server's validation error appears beside the field, and the dialog stays.
    await dialog.locator(".field-error").filter({ hasText: /less than or equal to 2/ }).waitFor();
    await shot("model-edit");
    await dialog.getByLabel("Temperature", { exact: true }).fill("0.2");
    await dialog.getByLabel("Max Tokens", { exact: true }).fill("256");
    await dialog.getByLabel("Summary").fill("The steady test model.");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("The steady test model.", { exact: false }).waitFor();
    const shown = page.locator(".meta");
    await shown.locator("div").filter({ hasText: /^max_tokens256$/ }).waitFor();
    await shown.locator("div").filter({ hasText: /^temperature0\.2$/ }).waitFor();
    await shown.locator("div").filter({ hasText: /^api_key\*{10}$/ }).waitFor();
    // The kept key still works.
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByRole("status").filter({ hasText: "healthy" }).waitFor();
  });

  await step("create an endpoint", async () => {
    await page.getByRole("link", { name: "Endpoints" }).click();
    await page.getByText("No endpoints yet").waitFor();
    await shot("endpoints-empty");
    await page.getByRole("link", { name: "New endpoint" }).first().click();
    await page.getByLabel("Answer with sources (RAG)").check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Dataset").selectOption("news");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Model").selectOption("gpt");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel(/^Name/).fill("News QA");
    await page.getByLabel("Summary").fill("Answers about satellites.");
    await shot("endpoint-wizard");
    await page.getByRole("button", { name: "Create endpoint" }).click();
    await heading("News QA").waitFor();
    await page.getByRole("button", { name: "Edit endpoint" }).click();
    const edit = page.getByRole("dialog", { name: "Edit News QA" });
    await edit.getByLabel("Description").fill("Satellite incidents, from the news.");
    await edit.getByRole("button", { name: "Save" }).click();
    await edit.waitFor({ state: "detached" });
    await page.getByText("Satellite incidents, from the news.").waitFor();
  });

  await step("add a policy", async () => {
    await page.getByRole("button", { name: "Add policy" }).click();
    const form = page.getByRole("form", { name: "New policy" });
    await form.getByLabel("Policy type").selectOption("rate_limit");
    // Helpful default: one rule, already filled in.
    const rate = form.getByLabel(/^Rate/);
    if ((await rate.inputValue()) !== "10/m") throw new Error("rate limit has no default rule");
    await rate.fill("1000/h");
    await form.getByRole("button", { name: "Add policy" }).click();
    await page.getByRole("form", { name: "Policy rate-limit" }).waitFor();
    await shot("endpoint-detail");
  });

  await step("playground answer with a citation", async () => {
    await page.getByRole("link", { name: "Open playground" }).click();
    await page.getByLabel("Question").fill("What destroyed EuroSat-7?");
    await page.getByRole("button", { name: "Ask" }).click();
    await page.getByTestId("answer").filter({ hasText: "space debris" }).waitFor();
    await page.getByTestId("final").waitFor();
    await page.getByRole("button", { name: "Open source 1" }).click();
    const source = page.getByRole("dialog", { name: "Source 1" });
    await source.getByText("EuroSat-7 was destroyed").waitFor();
    await shot("playground-citation");
    await page.keyboard.press("Escape");
    await source.waitFor({ state: "detached" });
    await shot("playground");
  });

  await step("connect the hub", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await heading("Settings").waitFor();
    // Every Space starts with the public SyftHub listed; this one is the local hub double.
    await page.getByRole("article", { name: "Marketplace SyftHub" }).waitFor();
    await page.getByRole("button", { name: "Add Marketplace" }).click();
    const form = page.getByRole("form", { name: "Add marketplace" });
    await form.getByLabel(/^Marketplace name/).fill("Hub double");
    await form.getByLabel(/^URL/).fill(env("HUB_URL"));
    await form.getByLabel("Hub username").fill(env("HUB_USERNAME"));
    // A token the hub does not know (say, revoked): the test says so.
    await form.getByLabel("Access token").fill("syft_pat_revoked");
    await form.getByRole("button", { name: "Save" }).click();
    const hub = page.getByRole("article", { name: "Marketplace Hub double" });
    await hub.waitFor();
    await hub.getByRole("button", { name: "Test Hub double" }).click();
    await hub.getByRole("status").filter({ hasText: "failed" }).waitFor();
  });

  await step("edit the hub's credentials", async () => {
    const hub = page.getByRole("article", { name: "Marketplace Hub double" });
    await hub.getByRole("button", { name: "Edit Hub double" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit Hub double" });
    const token = dialog.getByLabel("Access token", { exact: true });
    if ((await token.inputValue()) !== "") throw new Error("the stored token is shown");
    if (!/leave empty to keep/.test((await token.getAttribute("placeholder")) ?? "")) {
      throw new Error("the stored token is not marked as kept");
    }
    if ((await dialog.getByLabel("Hub username").inputValue()) !== env("HUB_USERNAME")) {
      throw new Error("the hub username is not prefilled");
    }
    // Keyboard only: Tab from the username reaches the token field.
    await dialog.getByLabel("Hub username").focus();
    await page.keyboard.press("Tab");
    await page.keyboard.type(env("HUB_TOKEN"));
    if ((await token.inputValue()) !== env("HUB_TOKEN")) throw new Error("Tab did not reach the token field");
    await shot("marketplace-edit");
    await dialog.getByRole("button", { name: "Save and test" }).click();
    await dialog.waitFor({ state: "detached" });
    await hub.getByRole("status").filter({ hasText: "connected" }).waitFor();
    await hub.getByText("active", { exact: true }).waitFor();
    await shot("settings");
  });

  await step("publish to the hub", async () => {
    await page.getByRole("link", { name: "Endpoints" }).click();
    await page.getByRole("link", { name: "News QA" }).click();
    await page.getByRole("button", { name: "Publish to SyftHub" }).click();
    const dialog = page.getByRole("dialog", { name: "Publish to SyftHub" });
    await dialog.getByLabel("All marketplaces").uncheck();
    await dialog.getByRole("checkbox", { name: /Hub double/ }).check();
    await dialog.getByRole("button", { name: "Check Availability" }).click();
    await dialog.getByText("slug available").waitFor();
    await dialog.getByRole("button", { name: "Publish", exact: true }).click();
    const results = dialog.getByRole("list", { name: "Publish results" });
    await results.getByText("Successfully published endpoint").waitFor();
    await shot("publish-dialog");
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    const publishedTo = page.getByRole("list", { name: "Published to" });
    await publishedTo.getByText("Hub double").waitFor();
    await publishedTo.getByText("published", { exact: true }).waitFor();
    await shot("endpoint-published");
  });

  await step("unpublish", async () => {
    await page.getByRole("button", { name: "Unpublish from SyftHub" }).click();
    const confirm = page.getByRole("dialog", { name: "Unpublish News QA?" });
    await confirm.getByRole("button", { name: "Unpublish" }).click();
    await page.getByRole("list", { name: "Unpublish results" }).getByText("unpublished").waitFor();
  });

  await step("dashboard with usage", async () => {
    await page.getByRole("link", { name: "Dashboard" }).click();
    await heading("Dashboard").waitFor();
    // One query today, none on the other days of the week.
    await page.getByRole("img", { name: /^Queries per day: ([A-Za-z]+ \d+ 0, ){7}[A-Za-z]+ \d+ 1$/ }).waitFor();
    await shot("dashboard");
    await page.getByRole("link", { name: "Endpoints" }).click();
    await page.getByRole("link", { name: "News QA" }).waitFor();
    await shot("endpoints");
    await page.getByRole("link", { name: "Datasets" }).click();
    await page.getByRole("link", { name: "news" }).waitFor();
    await shot("datasets");
  });

  await step("client routes survive a reload", async () => {
    await page.goto(SPACE + "/endpoints/news-qa/playground");
    await heading(/Playground/).waitFor();
    await page.goto(SPACE + "/no/such/page");
    await heading("Page not found").waitFor();
    await shot("not-found");
  });

  if (consoleErrors.length) throw new Error(`page errors: ${consoleErrors.join(" | ")}`);
  console.log(JSON.stringify({ ok: true, steps, screenshots }));
  await browser.close();
} catch (error) {
  try {
    await shot(`failed-${current.replace(/\W+/g, "-")}`);
  } catch {
    // The page may be gone; the error below says what happened.
  }
  console.log(JSON.stringify({ ok: false, step: current, error: String(error?.stack ?? error), steps, screenshots }));
  await browser.close();
  process.exit(1);
}
