/** Public entry of the fake Discord: start it with `startFakeDiscord`, drive the real discord.js Client against it. */
export { startFakeDiscord, FAKE_DISCORD_DEFAULTS } from "./server.ts";
/** The fake's public types (documented in types.ts). */
export type {
  FailRule,
  FakeChannelInput,
  FakeChannelMessage,
  FakeCommandOption,
  FakeDiscord,
  FakeDiscordOptions,
  FakeInteractionHandle,
  FakeUser,
  GatewayFrame,
  RecordedFile,
  RecordedRequest,
} from "./types.ts";
