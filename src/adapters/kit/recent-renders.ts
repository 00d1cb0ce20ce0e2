/**
 * The rendered form of recently sent texts, per adapter. The same text comes back often — `/status` and
 * `/help` answer alike until something changes, a notice goes to several chats — and rendering it again
 * cost more of a round trip than looking it up. Long texts (planner answers) are rarely repeated and are
 * not kept, so the memory stays small: at most `kept` texts of at most `maxLength` characters, the oldest
 * going first. What is handed out is frozen, so no caller can change the next caller's copy.
 */
export interface RecentRenders<T> {
  /** `render(text)`, or what it returned for this text before. */
  get(text: string, render: (text: string) => T[]): readonly T[];
}

/** Creates an empty {@link RecentRenders}. */
export function createRecentRenders<T>(kept: number, maxLength: number): RecentRenders<T> {
  const rendered = new Map<string, readonly T[]>();
  return {
    get(text, render) {
      if (text.length > maxLength) return render(text);
      const known = rendered.get(text);
      if (known) return known;
      const fresh = Object.freeze(render(text));
      if (rendered.size >= kept) rendered.delete(rendered.keys().next().value!);
      rendered.set(text, fresh);
      return fresh;
    },
  };
}
