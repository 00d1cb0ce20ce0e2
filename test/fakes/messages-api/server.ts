/**
 * A local stand-in for the Anthropic Messages API, for running the real Claude Code CLI offline
 * (`ANTHROPIC_BASE_URL=<url>`, any `ANTHROPIC_API_KEY`).
 *
 * What it reproduces of the real API, because the CLI depends on it:
 * - `POST /v1/messages`: a JSON `message` object, or, when the body says `stream: true`, the SSE event
 *   sequence `message_start`, `content_block_start` / `content_block_delta` (`text_delta`,
 *   `input_json_delta`) / `content_block_stop` per block, `message_delta` (stop_reason, usage),
 *   `message_stop`.
 * - `POST /v1/messages/count_tokens`: `{input_tokens}` (a rough 4-characters-per-token estimate).
 * - errors as `{type:"error", error:{type, message}}` with the HTTP status (401 authentication_error,
 *   429 rate_limit_error, …).
 * - anything else: 404 `not_found_error`.
 *
 * Every request is recorded (method, path, headers, parsed body) so tests can assert on exactly what the
 * CLI sent: system prompt, tools offered, messages. Replies come from a script: a function of the
 * request (see `planner-script.ts` for the planning phases), replaceable at any time.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: MessagesBody | undefined;
  raw: string;
  at: string;
}

/** The parts of a Messages API request body the fake reads. */
export interface MessagesBody {
  model?: string;
  stream?: boolean;
  max_tokens?: number;
  system?: string | { type: string; text: string }[];
  messages?: { role: "user" | "assistant"; content: string | ContentBlock[] }[];
  tools?: { name: string; [key: string]: unknown }[];
  [key: string]: unknown;
}

/** A content block in a request or reply. */
export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; tool_use_id: string; content: unknown; is_error?: boolean }
  | { type: string; [key: string]: unknown };

/** What the script answers: content blocks (text and tool calls), or an API error. */
export type ScriptedReply =
  | { text: string; toolUse?: { name: string; input: Record<string, unknown> } }
  | { toolUse: { name: string; input: Record<string, unknown> }; text?: string }
  | { error: { status: number; type: string; message: string } };

/** Chooses the reply to one `POST /v1/messages`; may be async (e.g. to hold a turn). */
export type ReplyScript = (body: MessagesBody, request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;

/** A running fake. */
export interface FakeMessagesApi {
  /** `http://127.0.0.1:<port>`: the CLI's ANTHROPIC_BASE_URL. */
  url: string;
  /** Every request so far, oldest first. */
  requests: RecordedRequest[];
  /** Only the `POST /v1/messages` requests. */
  messageRequests(): RecordedRequest[];
  setScript(script: ReplyScript): void;
  close(): Promise<void>;
}

let nextId = 1;
const id = (prefix: string) => `${prefix}_fake${String(nextId++).padStart(8, "0")}`;

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeMessagesApi(script: ReplyScript): Promise<FakeMessagesApi> {
  let current = script;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: MessagesBody | undefined;
      try {
        body = raw ? (JSON.parse(raw) as MessagesBody) : undefined;
      } catch {
        body = undefined;
      }
      const path = (req.url ?? "/").split("?")[0]!;
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path,
        headers: req.headers,
        body,
        raw,
        at: new Date().toISOString(),
      };
      requests.push(recorded);
      void handle(recorded, res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, "api_error", String(error));
        else res.end();
      });
    });
  });

  async function handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    if (request.method === "POST" && request.path === "/v1/messages/count_tokens") {
      return sendJson(res, 200, { input_tokens: Math.ceil(request.raw.length / 4) });
    }
    if (request.method !== "POST" || request.path !== "/v1/messages")
      return sendError(res, 404, "not_found_error", `no route ${request.method} ${request.path}`);
    if (!request.body) return sendError(res, 400, "invalid_request_error", "body is not JSON");
    const reply = await current(request.body, request);
    if ("error" in reply) return sendError(res, reply.error.status, reply.error.type, reply.error.message);
    const content: ContentBlock[] = [];
    if (reply.text) content.push({ type: "text", text: reply.text });
    if (reply.toolUse)
      content.push({ type: "tool_use", id: id("toolu"), name: reply.toolUse.name, input: reply.toolUse.input });
    const message = {
      id: id("msg"),
      type: "message",
      role: "assistant",
      model: request.body.model ?? "claude-fake",
      content,
      stop_reason: reply.toolUse ? "tool_use" : "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: Math.ceil(request.raw.length / 4),
        output_tokens: Math.ceil(JSON.stringify(content).length / 4),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    };
    if (request.body.stream) return streamMessage(res, message);
    sendJson(res, 200, message);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    messageRequests: () => requests.filter((request) => request.path === "/v1/messages"),
    setScript(next) {
      current = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "request-id": id("req"),
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: "error", error: { type, message } });
}

/** The real API's SSE event sequence for one message (text arrives in a few deltas, tool input as JSON deltas). */
function streamMessage(
  res: ServerResponse,
  message: { content: ContentBlock[]; stop_reason: string; usage: { output_tokens: number } & Record<string, number> },
): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "request-id": id("req"),
  });
  const event = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event("message_start", {
    message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
  });
  message.content.forEach((block, index) => {
    if (block.type === "text") {
      const text = (block as { text: string }).text;
      event("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (let at = 0; at < text.length; at += 400)
        event("content_block_delta", { index, delta: { type: "text_delta", text: text.slice(at, at + 400) } });
    } else {
      const tool = block as { id: string; name: string; input: unknown };
      event("content_block_start", {
        index,
        content_block: { type: "tool_use", id: tool.id, name: tool.name, input: {} },
      });
      event("content_block_delta", {
        index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(tool.input) },
      });
    }
    event("content_block_stop", { index });
  });
  event("message_delta", {
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: message.usage.output_tokens },
  });
  event("message_stop", {});
  res.end();
}

/** The system prompt of a request as one string (the CLI sends a list of text blocks). */
export function systemText(body: MessagesBody): string {
  if (typeof body.system === "string") return body.system;
  return (body.system ?? []).map((block) => block.text).join("\n");
}

/** The text of every block of a message's content. */
export function contentText(content: string | ContentBlock[]): string {
  if (typeof content === "string") return content;
  return content
    .map((block) => {
      if (block.type === "text") return (block as { text: string }).text;
      if (block.type === "tool_result") {
        const inner = (block as { content: unknown }).content;
        return typeof inner === "string"
          ? inner
          : Array.isArray(inner)
            ? inner.map((part: { text?: string }) => part.text ?? "").join("\n")
            : "";
      }
      return "";
    })
    .join("\n");
}

/** Everything a request carries as text: system prompt, every message, the tools' descriptions. */
export function requestText(body: MessagesBody): string {
  return [
    systemText(body),
    ...(body.messages ?? []).map((message) => contentText(message.content)),
    JSON.stringify(body.tools ?? []),
  ].join("\n");
}
