// A scripted fetch for component tests: each route answers a fixed status and body, and every
// call is recorded so tests can assert what the console sent.
import { vi } from "vitest";

export interface Call {
  method: string;
  url: string;
  body: unknown;
}

type Answer = { status?: number; body?: unknown; sse?: string[] };

export function mockFetch(routes: Record<string, Answer | ((call: Call) => Answer)>): Call[] {
  const calls: Call[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = String(input);
    const method = init?.method ?? "GET";
    const call = { method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const key = Object.keys(routes).find((k) => `${method} ${url}`.startsWith(k));
    if (!key) return new Response(JSON.stringify({ detail: `no route for ${method} ${url}` }), { status: 404 });
    const route = routes[key];
    const answer = typeof route === "function" ? route(call) : route;
    if (answer.sse) {
      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const piece of answer.sse ?? []) controller.enqueue(encoder.encode(piece));
          controller.close();
        },
      });
      return new Response(stream, { status: 200, headers: { "Content-Type": "text/event-stream" } });
    }
    return new Response(JSON.stringify(answer.body ?? {}), {
      status: answer.status ?? 200,
      headers: { "Content-Type": "application/json" },
    });
  });
  return calls;
}
