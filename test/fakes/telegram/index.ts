/** Fake Telegram Bot API for offline tests with real grammY: start it, point `client.apiRoot` at it. */
export { startFakeTelegram, DEFAULT_TOKEN } from "./server.ts";
export type {
  FailRule,
  FakeChat,
  FakeTelegram,
  FakeTelegramOptions,
  FakeUser,
  InjectClick,
  InjectMessage,
  RecordedCall,
  RecordedError,
  SentMessage,
} from "./types.ts";
export { parseHtml, decodeHtmlEntity, type EntityParseResult } from "./html-entities.ts";
export { parseMarkdownV2, parseMarkdownLegacy } from "./markdown-entities.ts";
export { prepareMessageText, MAX_MESSAGE_LENGTH, type PreparedText } from "./formatted-text.ts";
