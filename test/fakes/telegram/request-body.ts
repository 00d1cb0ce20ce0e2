import type { IncomingMessage } from "node:http";

/** Reads a whole request body into memory (the fake only sees small test payloads). */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Form fields arrive as strings; values that look like JSON objects/arrays are decoded, as Telegram does. */
function decodeFieldValue(value: string): unknown {
  const t = value.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/** An uploaded file part of a multipart body, with its bytes (the fake only sees small test files). */
export interface UploadedFilePart {
  filename: string;
  contentType?: string;
  size: number;
  content: Buffer;
}

/** Whether a decoded parameter is an uploaded file part. */
export function isUploadedFile(value: unknown): value is UploadedFilePart {
  return typeof value === "object" && value !== null && Buffer.isBuffer((value as UploadedFilePart).content);
}

function parseMultipart(body: Buffer, boundary: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    let start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    if (body.subarray(start, start + 2).toString() === "\r\n") start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    let part = body.subarray(start, next);
    if (part.subarray(part.length - 2).toString() === "\r\n") part = part.subarray(0, part.length - 2);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const content = part.subarray(headerEnd + 4);
      const name = /(?:^|[;\s])name="([^"]*)"/i.exec(headers)?.[1];
      // Clients quote the file name (RFC 7578) or not (grammY writes `filename=name.md`); Telegram takes both.
      const quoted = /filename="([^"]*)"/i.exec(headers);
      const filename = quoted ? quoted[1] : /filename=([^;\r\n]+)/i.exec(headers)?.[1]?.trim();
      const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
      if (name !== undefined) {
        params[name] =
          filename !== undefined
            ? ({
                filename,
                size: content.length,
                content: Buffer.from(content),
                ...(contentType ? { contentType } : {}),
              } satisfies UploadedFilePart)
            : decodeFieldValue(content.toString("utf8"));
      }
    }
    pos = next;
  }
  return params;
}

/**
 * Decodes Bot API parameters from a JSON, form-urlencoded or multipart body plus the query string.
 * Throws on malformed JSON (the server answers 400).
 */
export function parseParams(
  contentType: string | undefined,
  body: Buffer,
  query: URLSearchParams,
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of query) params[k] = decodeFieldValue(v);
  const type = (contentType ?? "").toLowerCase();
  if (body.length === 0) return params;
  if (type.includes("application/json")) {
    const parsed = JSON.parse(body.toString("utf8")) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new Error("JSON body is not an object");
    return { ...params, ...(parsed as Record<string, unknown>) };
  }
  if (type.includes("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? "");
    const b = boundary?.[1] ?? boundary?.[2];
    if (b) return { ...params, ...parseMultipart(body, b.trim()) };
    return params;
  }
  // application/x-www-form-urlencoded (or unspecified)
  for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params[k] = decodeFieldValue(v);
  return params;
}
